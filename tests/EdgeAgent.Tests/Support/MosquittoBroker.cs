using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using EdgeAnpr.Agent.Mqtt;

namespace EdgeAnpr.Agent.Tests.Support;

/// <summary>What a test broker offers.</summary>
internal sealed record MosquittoBrokerOptions
{
    /// <summary>Whether clients without a user name are let in; default true.</summary>
    public bool AllowAnonymous { get; init; } = true;

    /// <summary>User names and passwords, written with <c>mosquitto_passwd -b</c>; none by default.</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string>();

    /// <summary>Adds a TLS listener on <see cref="MosquittoBroker.TlsPort"/> that requires a client certificate signed by the test CA.</summary>
    public bool Tls { get; init; }
}

/// <summary>
/// A real Debian mosquitto broker for one test, on free 127.0.0.1 ports only. It writes its mosquitto.conf, log,
/// password file, certificates and persistence file into a temporary directory, with persistence on so that
/// persistent sessions survive <see cref="StopAsync"/> and <see cref="StartAsync"/> (which reuse the same ports,
/// for outage tests). A broker that does not come up fails the test with mosquitto's own log. Disposing kills it
/// and deletes the directory.
/// </summary>
internal sealed partial class MosquittoBroker : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/mosquitto";
    public const string PasswordTool = "/usr/bin/mosquitto_passwd";
    public const string Address = "127.0.0.1";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private const int SigTerm = 15;

    /// <summary>Brokers running now, killed when the test process exits even if a test forgot to dispose one.</summary>
    private static readonly ConcurrentDictionary<Process, bool> Running = new();

    private readonly StringBuilder _output = new();
    private Process? _process;

    static MosquittoBroker()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Running.Keys)
            {
                try
                {
                    process.Kill();
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
            }
        };
    }

    private MosquittoBroker(MosquittoBrokerOptions options)
    {
        Options = options;
        Directory = Path.Combine(Path.GetTempPath(), $"edge-anpr-mosquitto-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Directory);
        Port = FreePorts.Next();
        TlsPort = options.Tls ? FreePorts.Next() : 0;
        Certificates = options.Tls ? MosquittoCertificates.Create(Path.Combine(Directory, "pki")) : null;
        WritePasswordFile();
        File.WriteAllText(ConfigFile, Configuration());
    }

    public MosquittoBrokerOptions Options { get; }

    /// <summary>The temporary directory holding the configuration, log, persistence and certificates.</summary>
    public string Directory { get; }

    /// <summary>The plain MQTT listener.</summary>
    public int Port { get; }

    /// <summary>The TLS listener (client certificate required), or 0 without <see cref="MosquittoBrokerOptions.Tls"/>.</summary>
    public int TlsPort { get; }

    /// <summary>The test PKI, with <see cref="MosquittoBrokerOptions.Tls"/>.</summary>
    public MosquittoCertificates? Certificates { get; }

    public string ConfigFile => Path.Combine(Directory, "mosquitto.conf");

    public string LogFile => Path.Combine(Directory, "mosquitto.log");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>mosquitto's log so far (its log file, then whatever it printed).</summary>
    public string Log
    {
        get
        {
            var log = File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no log file)\n";
            lock (_output)
            {
                return log + _output;
            }
        }
    }

    /// <summary>A broker that is already up (on fresh ports if another process took the first ones meanwhile).</summary>
    public static async Task<MosquittoBroker> StartAsync(MosquittoBrokerOptions? options = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var broker = Create(options);
            var failure = await broker.TryStartAsync();
            if (failure is null)
            {
                return broker;
            }

            var portTaken = broker.Log.Contains("Address already in use", StringComparison.Ordinal);
            await broker.DisposeAsync();
            if (!portTaken || attempt == 3)
            {
                Assert.Fail(failure);
            }
        }
    }

    /// <summary>A broker with its ports chosen and files written, not started (for "broker down at start").</summary>
    public static MosquittoBroker Create(MosquittoBrokerOptions? options = null)
    {
        if (!File.Exists(Executable))
        {
            Assert.Fail($"{Executable} is missing: the MQTT tests need a real broker (apt-get install mosquitto).");
        }

        return new MosquittoBroker(options ?? new MosquittoBrokerOptions());
    }

    /// <summary>Options for <see cref="MosquittoTransport"/> pointing at this broker, retrying every second.</summary>
    public MqttOptions ClientOptions(string clientId, bool tls = false) => new()
    {
        Host = Address,
        Port = tls ? TlsPort : Port,
        ClientId = clientId,
        ReconnectDelay = TimeSpan.FromSeconds(1),
        MaxReconnectDelay = TimeSpan.FromSeconds(1),
        KeepAlive = TimeSpan.FromSeconds(10),
        CaFile = tls ? Certificates!.CaFile : null,
        CertFile = tls ? Certificates!.ClientCertFile : null,
        KeyFile = tls ? Certificates!.ClientKeyFile : null,
    };

    /// <summary>Starts mosquitto and waits until every listener accepts connections; fails the test with mosquitto's log if it does not.</summary>
    public async Task StartAsync()
    {
        if (await TryStartAsync() is { } failure)
        {
            Assert.Fail(failure);
        }
    }

    /// <summary>Starts mosquitto; null when it listens on every port, else what went wrong, with its configuration and log.</summary>
    private async Task<string?> TryStartAsync()
    {
        Assert.False(IsRunning, "The broker is already running.");
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(ConfigFile);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{Executable} did not start.");
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Running[process] = true;

        var deadline = TimeProvider.System.GetTimestamp() + (long)(StartTimeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        foreach (var port in TlsPort == 0 ? [Port] : new[] { Port, TlsPort })
        {
            while (!await AcceptsAsync(port))
            {
                if (process.HasExited || TimeProvider.System.GetTimestamp() > deadline)
                {
                    var state = process.HasExited ? $"it exited with code {process.ExitCode}" : $"it did not listen within {StartTimeout.TotalSeconds:0} s";
                    Kill();
                    return $"mosquitto did not come up on {Address}:{port}: {state}.\n--- {ConfigFile} ---\n{File.ReadAllText(ConfigFile)}--- log ---\n{Log}";
                }

                await Task.Delay(20);
            }
        }

        return null;
    }

    /// <summary>Stops mosquitto the way systemd does (SIGTERM), so it saves its persistence file; waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        if (!process.HasExited)
        {
            _ = SendSignal(process.Id, SigTerm);
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
        }

        Running.TryRemove(process, out _);
        process.Dispose();
        _process = null;
    }

    /// <summary>Kills mosquitto at once (SIGKILL): nothing saved, as in a power cut.</summary>
    public void Kill()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }

            Running.TryRemove(process, out _);
            process.Dispose();
            _process = null;
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp cleaner.
        }

        return ValueTask.CompletedTask;
    }

    private string Configuration()
    {
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');

        // mosquitto started as root switches to the "mosquitto" user unless told otherwise; it must keep
        // reading this directory, so it stays whoever runs the tests.
        Line($"user {Environment.UserName}");
        Line("per_listener_settings false");
        Line($"allow_anonymous {(Options.AllowAnonymous ? "true" : "false")}");
        if (Options.Users.Count > 0)
        {
            Line($"password_file {PasswordFile}");
        }

        Line("persistence true");
        Line($"persistence_location {Directory}/");
        Line("autosave_interval 0");
        Line($"log_dest file {LogFile}");
        foreach (var type in new[] { "error", "warning", "notice", "information" })
        {
            Line($"log_type {type}");
        }

        Line("connection_messages true");
        Line($"listener {Port} {Address}");
        if (Certificates is { } pki)
        {
            Line($"listener {TlsPort} {Address}");
            Line($"cafile {pki.CaFile}");
            Line($"certfile {pki.ServerCertFile}");
            Line($"keyfile {pki.ServerKeyFile}");
            Line("require_certificate true");
        }

        return text.ToString();
    }

    private string PasswordFile => Path.Combine(Directory, "passwords");

    private void WritePasswordFile()
    {
        var first = true;
        foreach (var (user, password) in Options.Users)
        {
            var start = new ProcessStartInfo(PasswordTool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add("-b");
            if (first)
            {
                start.ArgumentList.Add("-c");
            }

            start.ArgumentList.Add(PasswordFile);
            start.ArgumentList.Add(user);
            start.ArgumentList.Add(password);
            using var process = Process.Start(start)!;
            var output = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{PasswordTool} failed ({process.ExitCode}): {output}");
            first = false;
        }

        if (!first)
        {
            MakeOwnerOnly(PasswordFile);
        }
    }

    /// <summary>chmod 600: how keys and password files must be kept (mosquitto and the agent both check).</summary>
    public static void MakeOwnerOnly(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private void Remember(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Append(line).Append('\n');
            }
        }
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
