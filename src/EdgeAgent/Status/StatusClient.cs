using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace EdgeAnpr.Agent.Status;

/// <summary>No agent answers on the status socket; the message says why in one line, and what to do.</summary>
public sealed class AgentUnreachableException(string message, string fix) : Exception(message)
{
    public string Fix { get; } = fix;
}

/// <summary>The agent answered, with an <see cref="ErrorReply"/> or something that is not the protocol.</summary>
public sealed class StatusRequestException(string message) : Exception(message);

/// <summary>The CLI's side of <see cref="StatusProtocol"/>: one connection per request.</summary>
internal static class StatusClient
{
    /// <summary>The most a status document may be: far more than one ever is, little enough to hold.</summary>
    private const int MaxDocumentBytes = 1 << 20;

    public static async Task<StatusDocument> GetStatusAsync(string socketPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = new Deadline(timeout, TimeProvider.System, cancellationToken);
        await using var stream = await RequestAsync(socketPath, StatusProtocol.Status, deadline.Token);
        var bytes = await ReadToEndAsync(stream, MaxDocumentBytes, deadline.Token);
        ThrowIfError(bytes);
        try
        {
            return JsonSerializer.Deserialize(bytes, StatusJson.Wire.StatusDocument) ?? throw new StatusRequestException("the agent answered null");
        }
        catch (JsonException ex)
        {
            throw new StatusRequestException($"the agent's answer is not a status document: {ex.Message}");
        }
    }

    /// <summary>The next processed frame and what was found in it.</summary>
    public static async Task<(SnapshotHeader Header, byte[] Pixels)> GetSnapshotAsync(string socketPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = new Deadline(timeout, TimeProvider.System, cancellationToken);
        await using var stream = await RequestAsync(socketPath, StatusProtocol.Snapshot, deadline.Token);
        var line = await ReadLineAsync(stream, deadline.Token);
        ThrowIfError(line);
        var header = Parse(line, StatusJson.Wire.SnapshotHeader);
        var pixels = new byte[checked(header.Width * header.Height)];
        await stream.ReadExactlyAsync(pixels, deadline.Token);
        return (header, pixels);
    }

    /// <summary>The agent's <c>aim</c> samples, one a second, until cancelled (or the agent ends the stream).</summary>
    public static async IAsyncEnumerable<AimSample> AimAsync(string socketPath, TimeSpan connectTimeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        NetworkStream stream;
        using (var deadline = new Deadline(connectTimeout, TimeProvider.System, cancellationToken))
        {
            stream = await RequestAsync(socketPath, StatusProtocol.Aim, deadline.Token);
        }

        await using (stream)
        {
            while (true)
            {
                var line = await ReadLineAsync(stream, cancellationToken);
                if (line.Length == 0)
                {
                    yield break;
                }

                ThrowIfError(line);
                yield return Parse(line, StatusJson.Wire.AimSample);
            }
        }
    }

    private static async Task<NetworkStream> RequestAsync(string socketPath, string request, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw Unreachable(socketPath, ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var stream = new NetworkStream(socket, ownsSocket: true);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request + "\n"), cancellationToken);
        return stream;
    }

    private static AgentUnreachableException Unreachable(string path, SocketException ex) => ex.SocketErrorCode switch
    {
        _ when !File.Exists(path) => new(
            $"the agent is not running: no status socket at {path}",
            "start it: sudo systemctl start edge-anpr (journalctl -u edge-anpr -n 50 says why it stopped)"),
        SocketError.ConnectionRefused => new(
            $"the agent is not running: nothing answers on {path} (left by an agent that was killed)",
            "start it: sudo systemctl start edge-anpr (journalctl -u edge-anpr -n 50 says why it stopped)"),
        SocketError.AccessDenied => new(
            $"no permission to ask the agent on {path}",
            "run as a member of the service's group (sudo usermod -aG edge-anpr $USER, then log in again) or with sudo"),
        _ => new($"cannot reach the agent on {path}: {ex.Message}", "check Status:SocketPath and that the service runs: systemctl status edge-anpr"),
    };

    private static void ThrowIfError(ReadOnlySpan<byte> json)
    {
        if (json.IndexOf("\"error\""u8) is >= 0 and < 4)
        {
            var reply = JsonSerializer.Deserialize(json, StatusJson.Wire.ErrorReply);
            throw new StatusRequestException($"the agent says: {reply?.Error}");
        }
    }

    private static T Parse<T>(byte[] json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new StatusRequestException("the agent answered null");
        }
        catch (JsonException ex)
        {
            throw new StatusRequestException($"the agent's answer is not what was asked: {ex.Message}");
        }
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream, int max, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max)
            {
                throw new StatusRequestException($"the agent's answer is longer than {max} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    // Byte by byte: what follows the line (a snapshot's pixels) must stay in the stream.
    private static async Task<byte[]> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var line = new MemoryStream();
        var one = new byte[1];
        while (await stream.ReadAsync(one, cancellationToken) == 1 && one[0] != (byte)'\n')
        {
            if (line.Length >= MaxDocumentBytes)
            {
                throw new StatusRequestException($"the agent's answer has a line longer than {MaxDocumentBytes} bytes");
            }

            line.WriteByte(one[0]);
        }

        return line.ToArray();
    }
}
