using System.Text.Json;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Tests.Imaging;
using EdgeAnpr.Agent.Tests.Pipeline;
using EdgeAnpr.Agent.Tests.Support;
using Xunit.Abstractions;

namespace EdgeAnpr.Agent.Tests.Board;

/// <summary>
/// The self-contained linux-arm64 agent (artifacts/publish/linux-arm64, made by <c>./build.sh --target=Publish</c>, which
/// the Test target runs first) on this x86 machine under Debian's qemu-user-static, with the arm64 C and C++ libraries
/// of libc6-arm64-cross and libstdc++6-arm64-cross. The agent's child processes (ffmpeg) are this machine's own: without
/// binfmt_misc, qemu hands an exec of an x86 program to the kernel, which runs it natively.
/// </summary>
/// <remarks>
/// Emulation runs arm64 code some 20-150 times slower than native (eval: 73 ms a crop against 0.44), so the inputs are
/// few and small: twenty crops, a six-frame clip. Measured: the four runs take about 50 s of CPU together, and the class
/// about 2 minutes at a load average of 11-14 on the 2-core development machine.
/// </remarks>
public sealed class Arm64EmulationTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Far above the slowest run seen (replay: 76 s at a load average of 20); only a hang gets there.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(4);

    private static readonly string Arm64Agent = RepositoryFiles.Path("artifacts", "publish", "linux-arm64", "edge-anpr");
    private static readonly string X64Agent = RepositoryFiles.Path("artifacts", "publish", "linux-x64", "edge-anpr");

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "edgeanpr-tests", "arm64-" + Guid.NewGuid().ToString("N"));

    [Arm64Fact]
    public async Task Version_is_the_same_as_the_x64_build()
    {
        var arm = await RunArm64Async("--version");
        var x64 = await PublishedProgram.RunAsync(X64Agent, ["--version"], HangGuard);

        Assert.Equal(0, arm.ExitCode);
        Assert.Equal(x64.Output, arm.Output);
        Assert.Matches(@"^\d+\.\d+\.\d+", arm.Output);
    }

    [Arm64Fact]
    public async Task Doctor_loads_the_arm64_onnx_runtime_and_passes_on_a_box_with_a_camera()
    {
        var clip = await TestClips.TestPatternAsync(320, 240, 25, 25);
        Directory.CreateDirectory(_folder);
        var config = Path.Combine(_folder, "edge-anpr.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            Camera = new { Source = clip },
            Storage = new { Directory = Path.Combine(_folder, "state") },
        }));

        var doctor = await RunArm64Async("doctor", "--config", config);

        Assert.True(doctor.ExitCode == 0, doctor.Output + doctor.Error);
        var lines = doctor.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var onnx = Assert.Single(lines, l => l.Contains(" onnxruntime ", StringComparison.Ordinal));
        Assert.StartsWith("ok", onnx, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("linux-arm64", "libonnxruntime.so"), onnx, StringComparison.Ordinal);
        Assert.StartsWith("ok", Assert.Single(lines, l => l.Contains(" camera ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains(" decoder ", StringComparison.Ordinal));
    }

    /// <summary>
    /// Twenty held-out US crops (never trained on) read by both builds: the same misreads, with the same confidences, and
    /// the same totals, so every crop was read alike (a crop not listed as misread was read as its label).
    /// </summary>
    [Arm64Fact]
    public async Task Eval_of_held_out_crops_reads_exactly_what_the_x64_build_reads()
    {
        Directory.CreateDirectory(_folder);
        var only = Path.Combine(_folder, "only.txt");
        await File.WriteAllLinesAsync(only, File.ReadLines(RepositoryFiles.Path("training", "splits", "us-plates-val.txt")).Take(20));
        string[] eval = ["eval", Path.Combine(RepositoryFiles.SharedData, "us-plates"), "--region", "latin", "--only", only];

        var arm = await RunArm64Async(eval);
        var x64 = await PublishedProgram.RunAsync(X64Agent, eval, HangGuard);

        Assert.True(arm.ExitCode == 0, arm.Error);
        Assert.True(x64.ExitCode == 0, x64.Error);
        var armReads = WithoutTimings(arm.Output);
        Assert.Equal(WithoutTimings(x64.Output), armReads);
        Assert.Contains(armReads, l => l.Contains("20 images, 20 labelled crops", StringComparison.Ordinal));
    }

    [Arm64Fact]
    public async Task Replay_of_a_clip_stores_the_watchlist_hit_in_the_outbox()
    {
        using var site = await HitSite.CreateAsync(mqttPort: null, ReplayReadsTests.Plate);

        // Twenty frames of the car in view, to the end of the clip: the track is flushed at the end and read once. (Six
        // frames were too few for the retrained Latin reader: its reads of this photo are 0.64-0.71 sure, and the pass
        // needs more of them.)
        var clip = await TestClips.VehiclePassesAsync(ReplayReadsTests.Photo, passes: 1, visible: 0.8, period: 0.8);

        var replay = await RunArm64Async("replay", clip, "--config", site.Config, "--json");

        Assert.True(replay.ExitCode == ExitCodes.Ok, replay.Error);
        var lines = replay.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["read", "hit", "summary"], lines.Select(l => l.GetProperty("type").GetString()));
        Assert.Equal(ReplayReadsTests.Plate, lines[1].GetProperty("plate").GetProperty("text").GetString());
        Assert.Equal([lines[1].GetProperty("eventId").GetString()!], site.OutboxEventIds());
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task<PublishedProgram.Result> RunArm64Async(params string[] arguments)
    {
        Assert.True(File.Exists(Arm64Agent), $"{Arm64Agent} is missing: run ./build.sh --target=Publish (the Test target does).");
        var result = await PublishedProgram.RunAsync(Arm64Emulator.Program, [.. Arm64Emulator.Arguments, Arm64Agent, .. arguments], HangGuard);
        output.WriteLine($"qemu-aarch64 edge-anpr {string.Join(' ', arguments)}: exit {result.ExitCode} in {result.Elapsed.TotalSeconds:0.0} s");
        return result;
    }

    // The last line of eval's text report is its timing, which differs by design.
    private static string[] WithoutTimings(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.Contains(" ms median", StringComparison.Ordinal))];
}
