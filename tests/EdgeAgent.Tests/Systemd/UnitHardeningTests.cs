using System.Globalization;
using System.Text.RegularExpressions;
using EdgeAnpr.Agent.Tests.Imaging;
using EdgeAnpr.Agent.Tests.Packaging;
using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Systemd;

/// <summary>
/// The unit's hardening (systemd/edge-anpr.service): scored by systemd's own analyser, and its system call filter
/// proven livable by running the agent under it. This machine's PID 1 is not systemd, so the unit itself cannot be
/// started here; the filter is expanded by <c>systemd-analyze syscall-filter</c> and applied with libseccomp.
/// </summary>
public sealed partial class UnitHardeningTests : IDisposable
{
    private const string SystemdAnalyze = "/usr/bin/systemd-analyze";
    private static readonly string Unit = RepositoryFiles.Path("systemd", "edge-anpr.service");
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-unit-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SystemdAnalyzeFact]
    public async Task The_unit_scores_2_0_or_less_in_systemd_analyze_security()
    {
        var (_, output, error) = await Programs.RunAsync(SystemdAnalyze, ["security", "--offline=true", "--no-pager", Unit]);

        var score = OverallExposure().Match(output + error);
        Assert.True(score.Success, $"no overall exposure line:\n{output}\n{error}");
        var exposure = double.Parse(score.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(exposure <= 2.0, $"exposure {exposure} (at most 2.0):\n{output}");
    }

    [SystemdAnalyzeFact(AppliesFilter = true)]
    public async Task The_agent_runs_and_stops_under_the_units_system_call_filter()
    {
        var allowed = Path.Combine(_directory, "allowed");
        await File.WriteAllLinesAsync(allowed, await AllowedSystemCallsAsync());
        Assert.DoesNotContain("reboot", File.ReadAllLines(allowed));
        var clip = await TestClips.TestPatternAsync(320, 240, 25, 1000);
        var config = Path.Combine(_directory, "edge-anpr.json");
        File.WriteAllText(config, $$"""
            {
              "Camera": { "Id": "test", "Source": "{{clip}}", "Pace": true },
              "Storage": { "Directory": "{{Path.Combine(_directory, "state")}}" }
            }
            """);
        using var notify = new NotifySocket(_directory);
        var launcher = new[] { "/usr/bin/python3", RepositoryFiles.Path("tests", "EdgeAgent.Tests", "Systemd", "seccomp_exec.py"), allowed };

        using var agent = AgentProcess.StartUnder(launcher, notify.Environment(TimeSpan.FromSeconds(1.5)), "run", "--config", config);

        // Frames flow (ffmpeg runs under the same filter), the database is open, the watchdog pings: the service is up.
        await notify.WaitForAsync(m => m == "READY=1", TimeSpan.FromSeconds(60), agent);
        await notify.WaitForAsync(m => m.StartsWith("STATUS=running", StringComparison.Ordinal), TimeSpan.FromSeconds(30), agent);
        await notify.WaitForAsync(m => m == "WATCHDOG=1", TimeSpan.FromSeconds(30), agent);
        Assert.Equal("2", File.ReadLines($"/proc/{agent.Id}/status").Single(l => l.StartsWith("Seccomp:", StringComparison.Ordinal)).Split('\t')[1]);

        agent.Terminate();
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        await notify.WaitForAsync(m => m == "STOPPING=1", TimeSpan.FromSeconds(1), agent);
    }

    // The unit's SystemCallFilter= lines in order, as systemd reads them: the first, a list of groups and calls,
    // starts the allow-list; a later "~" line takes its calls out, a later plain one puts calls back.
    private static async Task<List<string>> AllowedSystemCallsAsync()
    {
        var groups = ParseGroups(await Programs.RunOkAsync(SystemdAnalyze, ["syscall-filter", "--no-pager"]));
        var allowed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Unit).Where(l => l.StartsWith("SystemCallFilter=", StringComparison.Ordinal)))
        {
            var value = line["SystemCallFilter=".Length..];
            var deny = value.StartsWith('~');
            var calls = value.TrimStart('~').Split(' ', StringSplitOptions.RemoveEmptyEntries).SelectMany(n => Expand(n, groups));
            if (deny)
            {
                allowed.ExceptWith(calls);
            }
            else
            {
                allowed.UnionWith(calls);
            }
        }

        Assert.NotEmpty(allowed);
        return [.. allowed.Order(StringComparer.Ordinal)];
    }

    // `systemd-analyze syscall-filter` lists each group ("@name" at the start of a line), then its members indented:
    // calls and other groups.
    private static Dictionary<string, List<string>> ParseGroups(string listing)
    {
        var groups = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        List<string>? current = null;
        foreach (var line in listing.Split('\n'))
        {
            var item = line.Trim();
            if (item.Length == 0 || item.StartsWith('#'))
            {
                continue;
            }

            if (!char.IsWhiteSpace(line[0]) && item.StartsWith('@'))
            {
                groups[item] = current = [];
            }
            else
            {
                current?.Add(item);
            }
        }

        return groups;
    }

    private static IEnumerable<string> Expand(string name, Dictionary<string, List<string>> groups) =>
        name.StartsWith('@') ? groups[name].SelectMany(member => Expand(member, groups)) : [name];

    [GeneratedRegex(@"Overall exposure level for \S+: (\d+\.\d+)")]
    private static partial Regex OverallExposure();
}

/// <summary>A test that needs systemd's analyser (and, to apply a filter, python3 and libseccomp): skipped, with the reason shown, where they are missing.</summary>
internal sealed class SystemdAnalyzeFactAttribute : FactAttribute
{
    public SystemdAnalyzeFactAttribute()
    {
        if (!File.Exists("/usr/bin/systemd-analyze"))
        {
            Skip = "needs systemd-analyze (Debian package systemd)";
        }
    }

    /// <summary>The test applies a seccomp filter with /usr/bin/python3 and libseccomp.so.2 (Debian's libseccomp2).</summary>
    public bool AppliesFilter
    {
        get => false;
        init
        {
            var libseccomp = new[] { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu" }
                .Any(dir => File.Exists(Path.Combine(dir, "libseccomp.so.2")));
            if (value && Skip is null && (!File.Exists("/usr/bin/python3") || !libseccomp))
            {
                Skip = "needs /usr/bin/python3 and libseccomp.so.2 (Debian's libseccomp2) to apply the filter";
            }
        }
    }
}
