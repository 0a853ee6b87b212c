using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace EdgeAnpr.Agent.Tests.Support;

/// <summary>
/// A live RTSP camera on 127.0.0.1: GStreamer's RTSP server run by <c>rtsp_server.py</c> beside this
/// file (ffmpeg cannot serve RTSP). <see cref="KillAsync"/> is a camera dropping off the network;
/// <see cref="StartAsync"/> again brings it back on the same port. A missing GStreamer part fails the
/// test with the Debian package to install; nothing is skipped.
/// </summary>
internal sealed class RtspTestServer : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";
    private const string Packages = "gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(15);

    private Process? _process;

    public RtspTestServer(int port)
    {
        Port = port;
    }

    public int Port { get; }

    public string Url => $"rtsp://127.0.0.1:{Port}/cam";

    /// <summary>Starts the server and returns once it listens.</summary>
    public async Task StartAsync()
    {
        if (!File.Exists(Python))
        {
            Assert.Fail($"The RTSP tests run GStreamer's RTSP server with {Python}, which is missing: apt-get install {Packages}.");
        }

        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(FindScript());
        info.ArgumentList.Add(Port.ToString(CultureInfo.InvariantCulture));
        try
        {
            _process = Process.Start(info)!;
        }
        catch (Win32Exception ex)
        {
            Assert.Fail($"Cannot run {Python} ({ex.Message}): apt-get install {Packages}.");
        }

        var errors = _process.StandardError.ReadToEndAsync();
        var ready = await ReadReadyLineAsync(_process);
        if (!ready)
        {
            await KillAsync();
            var stderr = await errors;
            Assert.Fail($"The GStreamer RTSP test server did not start on port {Port}: {Hint(stderr)} {stderr.Trim()}");
        }
    }

    /// <summary>Kills the server the hard way (SIGKILL), as a power cut or a cable pull would.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        await process.WaitForExitAsync();
        process.Dispose();
    }

    /// <summary>Freezes the server (SIGSTOP): connections stay open and nothing more is sent, a hung camera.</summary>
    public Task PauseAsync() => SignalAsync("STOP");

    /// <summary>Thaws a paused server (SIGCONT).</summary>
    public Task ResumeAsync() => SignalAsync("CONT");

    public ValueTask DisposeAsync() => new(KillAsync()); // SIGKILL ends a stopped process too

    private async Task SignalAsync(string signal)
    {
        var pid = _process?.Id ?? throw new InvalidOperationException("The RTSP test server is not running.");
        using var kill = Process.Start("kill", ["-s", signal, pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.True(kill.ExitCode == 0, $"kill -s {signal} {pid} failed");
    }

    private static async Task<bool> ReadReadyLineAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("ready", StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return false;
    }

    private static string Hint(string stderr) =>
        stderr.Contains("GstRtspServer", StringComparison.Ordinal) ? "apt-get install gir1.2-gst-rtsp-server-1.0."
        : stderr.Contains("No module named 'gi'", StringComparison.Ordinal) ? "apt-get install python3-gi."
        : stderr.Contains("missing GStreamer elements", StringComparison.Ordinal) ? "apt-get install gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly."
        : $"check the GStreamer install (apt-get install {Packages}).";

    // The script is a committed source file; find it from the test binaries by walking up to the repository.
    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "EdgeAgent.Tests", "Support", "rtsp_server.py");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"rtsp_server.py not found above {AppContext.BaseDirectory}.");
    }
}
