using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace EdgeAnpr.Agent.Tests.Support;

/// <summary>
/// The real <c>edge-anpr</c> program (the built edge-anpr.dll beside the tests) run as a child process,
/// for what only a process shows: signals, exit codes, what reaches stdout and stderr, child processes.
/// </summary>
internal sealed partial class AgentProcess : IDisposable
{
    private const int SIGTERM = 15;
    private const int SIGKILL = 9;
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private AgentProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    public static AgentProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
        StartUnder([], environment, arguments);

    /// <summary>
    /// Started by <paramref name="launcher"/> (a program and its arguments that ends by exec-ing the command line it is
    /// given, such as one that confines it), so that the process is in the end the agent itself.
    /// </summary>
    public static AgentProcess StartUnder(IReadOnlyList<string> launcher, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var info = new ProcessStartInfo(launcher.Count > 0 ? launcher[0] : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in launcher.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        if (launcher.Count > 0)
        {
            info.ArgumentList.Add("dotnet");
        }

        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "edge-anpr.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The child must not inherit a systemd socket or journal stream from whoever runs the tests.
        info.Environment.Remove("NOTIFY_SOCKET");
        info.Environment.Remove("WATCHDOG_USEC");
        info.Environment.Remove("JOURNAL_STREAM");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var agent = new AgentProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"));
        agent._process.OutputDataReceived += (_, e) => Append(agent._output, e.Data);
        agent._process.ErrorDataReceived += (_, e) => Append(agent._error, e.Data);
        agent._process.BeginOutputReadLine();
        agent._process.BeginErrorReadLine();
        agent._process.StandardInput.Close();
        return agent;
    }

    /// <summary>Runs to the end and returns the exit code; fails the test if it takes longer than <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        using var agent = Start(null, arguments);
        var exitCode = await agent.WaitForExitAsync(timeout);
        return (exitCode, agent.Output, agent.Error);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"edge-anpr did not exit within {timeout.TotalSeconds:0.#} s. stderr:\n{Error}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash or a power cut of the process.</summary>
    public void KillHard()
    {
        if (Kill(_process.Id, SIGKILL) != 0)
        {
            throw new InvalidOperationException($"kill -KILL {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        _process.WaitForExit(5000);
    }

    public void Terminate()
    {
        if (Kill(_process.Id, SIGTERM) != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Processes whose command line mentions <paramref name="text"/> (to find children left behind).</summary>
    public static IReadOnlyList<int> ProcessesMentioning(string text)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(text, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (target)
        {
            target.AppendLine(line);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
