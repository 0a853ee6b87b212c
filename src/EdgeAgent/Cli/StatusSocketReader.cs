using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace EdgeAnpr.Agent.Cli;

/// <summary>
/// A minimal client of the agent's status socket for <c>logs bundle</c>: writes <c>status\n</c> and reads one JSON
/// document to the end of the stream. Stands in until the status client is merged (the coordinator swaps it in).
/// </summary>
internal static class StatusSocketReader
{
    public const string DefaultSocketPath = "/run/edge-anpr/status.sock";

    /// <summary>Largest answer read: a status document is a few kilobytes.</summary>
    private const int MaxBytes = 1024 * 1024;

    /// <summary>The agent's answer, a JSON document.</summary>
    /// <exception cref="StatusUnavailableException">No answer: not running, refused, timed out, not JSON; the message says which.</exception>
    public static async Task<string> ReadAsync(string socketPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!File.Exists(socketPath))
        {
            throw new StatusUnavailableException($"the agent was not running (no status socket at {socketPath})");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), deadline.Token);
            await socket.SendAsync("status\n"u8.ToArray(), SocketFlags.None, deadline.Token);
            using var answer = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
            {
                answer.Write(buffer, 0, read);
                if (answer.Length > MaxBytes)
                {
                    throw new StatusUnavailableException($"the agent's status answer on {socketPath} is over {MaxBytes} bytes");
                }
            }

            var text = Encoding.UTF8.GetString(answer.GetBuffer(), 0, (int)answer.Length);
            using var _ = JsonDocument.Parse(text);
            return text;
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
        {
            throw new StatusUnavailableException($"the agent was not running ({socketPath} refused the connection)", ex);
        }
        catch (SocketException ex)
        {
            throw new StatusUnavailableException($"the status socket {socketPath} failed: {ex.Message}", ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StatusUnavailableException($"the agent did not answer on {socketPath} within {timeout.TotalSeconds:0} s");
        }
        catch (JsonException ex)
        {
            throw new StatusUnavailableException($"the agent's answer on {socketPath} is not JSON: {ex.Message}", ex);
        }
    }
}

/// <summary>No status from the agent; the message says why in one line.</summary>
public sealed class StatusUnavailableException : Exception
{
    public StatusUnavailableException()
    {
    }

    public StatusUnavailableException(string message)
        : base(message)
    {
    }

    public StatusUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
