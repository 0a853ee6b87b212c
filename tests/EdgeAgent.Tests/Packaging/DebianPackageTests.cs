using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Tests.Imaging;

namespace EdgeAnpr.Agent.Tests.Packaging;

/// <summary>
/// The Debian packages as a box gets them: the amd64 one installed, upgraded, removed and purged in a throw-away root
/// by dpkg with its own maintainer scripts, its agent run from there; the arm64 one looked into.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class DebianPackageTests : IDisposable
{
    private const string Config = "/etc/edge-anpr/edge-anpr.json";
    private const int ElfX8664 = 62;
    private const int ElfAarch64 = 183;
    private readonly ThrowawayRoot _root = new();

    public void Dispose() => _root.Dispose();

    [DpkgFact]
    public async Task The_installed_agent_runs_version_config_check_and_doctor_with_the_packaged_configuration()
    {
        var package = DebianPackages.Path("amd64");
        var version = await DebianPackages.FieldAsync(package, "Version");
        Assert.Equal(DebianPackages.Version, version);
        Assert.Equal("amd64", await DebianPackages.FieldAsync(package, "Architecture"));
        var depends = await DebianPackages.FieldAsync(package, "Depends");
        Assert.All(new[] { "ffmpeg", "libgpiod2", "libssl3", "libstdc++6", "libc6 (>= 2.34)" }, d => Assert.Contains(d, depends, StringComparison.Ordinal));

        await _root.InstallAsync(package);

        // The self-contained agent, its models beside it (where the agent looks: models/ under its own folder) and the link.
        var agent = _root.Path("/opt/edge-anpr/edge-anpr");
        Assert.Equal(ElfX8664, DebianPackages.ElfMachine(agent));
        foreach (var model in new[] { "plate-detector", "plate-reader-ir", "plate-reader-latin" })
        {
            Assert.True(File.Exists(_root.Path($"/opt/edge-anpr/models/{model}.onnx")), model);
            Assert.True(File.Exists(_root.Path($"/opt/edge-anpr/models/{model}.json")), model);
        }

        Assert.Equal("/opt/edge-anpr/edge-anpr", new FileInfo(_root.Path("/usr/bin/edge-anpr")).LinkTarget);

        var output = await Programs.RunOkAsync(agent, ["--version"]);
        Assert.StartsWith(version, output.Trim(), StringComparison.Ordinal);

        // The default configuration is valid, and doctor runs on it, reporting what this machine lacks: the packaged
        // camera (192.0.2.10, a documentation address) cannot answer, so doctor exits with CheckFailed.
        var config = _root.Path(Config);
        Assert.Contains("ok", await Programs.RunOkAsync(agent, ["config", "check", config]), StringComparison.Ordinal);
        var state = _root.Path("/var/lib/edge-anpr");
        var (exitCode, doctor, error) = await Programs.RunAsync(
            agent, ["doctor", "--config", config], new Dictionary<string, string> { ["EDGEANPR__Storage__Directory"] = state }, TimeSpan.FromMinutes(1));
        Assert.True(exitCode == ExitCodes.CheckFailed, $"doctor exited with {exitCode}:\n{doctor}\n{error}");
        Assert.Matches($@"(?m)^ok\s+configuration\s+{Regex.Escape(config)}", doctor);
        Assert.Matches($@"(?m)^ok\s+onnxruntime\s+.*\({Regex.Escape(_root.Path("/opt/edge-anpr/libonnxruntime.so"))}\)", doctor);
        Assert.Matches($@"(?m)^ok\s+state directory\s+{Regex.Escape(state)} is writable", doctor);
        Assert.Matches(@"(?m)^FAIL\s+camera\s+.*192\.0\.2\.10", doctor);
    }

    [DpkgFact]
    public async Task The_postinst_makes_the_user_groups_state_directory_address_list_and_enables_the_unit()
    {
        await _root.InstallAsync(DebianPackages.Path("amd64"));

        // The service user, in the video group the system had (gid 44 kept) and in gpio, made since it was missing.
        var user = _root.Entry("etc/passwd", "edge-anpr")!;
        Assert.NotNull(user);
        Assert.Equal("/usr/sbin/nologin", user[6]);
        var group = _root.Entry("etc/group", "edge-anpr")!;
        Assert.Equal(user[3], group[2]);
        Assert.Equal(["44", "edge-anpr"], _root.Entry("etc/group", "video")![2..]);
        Assert.Equal("edge-anpr", _root.Entry("etc/group", "gpio")![3]);

        // /var/lib/edge-anpr: the service's own, 0750; the configuration: root's, readable by the service's group.
        var state = _root.Path("/var/lib/edge-anpr");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute,
            File.GetUnixFileMode(state));
        Assert.Equal((user[2], group[2]), await OwnerAsync(state));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(_root.Path(Config)));
        Assert.Equal(("0", group[2]), await OwnerAsync(_root.Path(Config)));

        // The configuration is a conffile (kept on upgrade, left by remove).
        Assert.Equal([Config], File.ReadAllLines(_root.Path("/var/lib/dpkg/info/edge-anpr.conffiles")));

        // The unit runs the self-contained agent, is enabled, and may reach the packaged camera's address.
        var unit = File.ReadAllLines(_root.Path("/lib/systemd/system/edge-anpr.service"));
        Assert.Contains($"ExecStart=/opt/edge-anpr/edge-anpr run --config {Config}", unit);
        Assert.Equal("/lib/systemd/system/edge-anpr.service",
            new FileInfo(_root.Path("/etc/systemd/system/multi-user.target.wants/edge-anpr.service")).LinkTarget);
        Assert.Contains("IPAddressAllow=192.0.2.10", File.ReadAllLines(_root.Path("/etc/systemd/system/edge-anpr.service.d/50-addresses.conf")));

        // udev gives the GPIO chips to gpio and the cameras to video; systemd-sysusers has the user's definition.
        Assert.Contains("KERNEL==\"gpiochip*\", GROUP=\"gpio\", MODE=\"0660\"", File.ReadAllText(_root.Path("/lib/udev/rules.d/60-edge-anpr-gpio.rules")), StringComparison.Ordinal);
        Assert.Contains("KERNEL==\"video*\", GROUP=\"video\", MODE=\"0660\"", File.ReadAllText(_root.Path("/lib/udev/rules.d/60-edge-anpr-video.rules")), StringComparison.Ordinal);
        Assert.Contains("m edge-anpr gpio", File.ReadAllLines(_root.Path("/usr/lib/sysusers.d/edge-anpr.conf")));

        // Installed twice, nothing is made twice.
        await _root.InstallAsync(DebianPackages.Path("amd64"));
        Assert.Single(File.ReadAllLines(_root.Path("etc/passwd")), line => line.StartsWith("edge-anpr:", StringComparison.Ordinal));
        Assert.Single(File.ReadAllLines(_root.Path("etc/group")), line => line.StartsWith("gpio:", StringComparison.Ordinal));
    }

    [DpkgFact]
    public async Task An_upgrade_keeps_the_edited_configuration_and_the_data()
    {
        using var work = new TempFolder();
        await _root.InstallAsync(DebianPackages.Path("amd64"));
        var edited = File.ReadAllText(_root.Path(Config)).Replace("rtsp://192.0.2.10:554/stream1", "rtsp://192.0.2.77:554/main", StringComparison.Ordinal);
        File.WriteAllText(_root.Path(Config), edited);
        File.WriteAllText(_root.Path("/var/lib/edge-anpr/agent.db"), "the outbox");

        // The same package under the next version, as the next release would come.
        var next = await NextVersionAsync(DebianPackages.Path("amd64"), work.Folder);
        var log = await _root.InstallAsync(next);

        Assert.Contains($"Unpacking edge-anpr ({DebianPackages.Version}+next) over ({DebianPackages.Version})", log, StringComparison.Ordinal);
        Assert.Equal(edited, File.ReadAllText(_root.Path(Config)));
        Assert.Equal("the outbox", File.ReadAllText(_root.Path("/var/lib/edge-anpr/agent.db")));
        // The address list follows the edited camera.
        Assert.Contains("IPAddressAllow=192.0.2.77", File.ReadAllLines(_root.Path("/etc/systemd/system/edge-anpr.service.d/50-addresses.conf")));
    }

    [DpkgFact]
    public async Task Removing_keeps_the_data_configuration_and_user_and_purging_removes_them()
    {
        await _root.InstallAsync(DebianPackages.Path("amd64"));
        File.WriteAllText(_root.Path("/var/lib/edge-anpr/agent.db"), "the outbox");

        await _root.RemoveAsync();

        Assert.False(File.Exists(_root.Path("/opt/edge-anpr/edge-anpr")));
        Assert.False(File.Exists(_root.Path("/usr/bin/edge-anpr")) || new FileInfo(_root.Path("/usr/bin/edge-anpr")).LinkTarget is not null);
        Assert.Equal("the outbox", File.ReadAllText(_root.Path("/var/lib/edge-anpr/agent.db")));
        Assert.True(File.Exists(_root.Path(Config)));
        Assert.NotNull(_root.Entry("etc/passwd", "edge-anpr"));

        await _root.PurgeAsync();

        Assert.False(Directory.Exists(_root.Path("/var/lib/edge-anpr")));
        Assert.False(Directory.Exists(_root.Path("/etc/edge-anpr")));
        Assert.False(Directory.Exists(_root.Path("/etc/systemd/system/edge-anpr.service.d")));
        Assert.False(File.Exists(_root.Path("/etc/systemd/system/multi-user.target.wants/edge-anpr.service")));
        Assert.Null(_root.Entry("etc/passwd", "edge-anpr"));
        Assert.Null(_root.Entry("etc/group", "edge-anpr"));
        // The groups other software uses stay, without the user.
        Assert.Equal(["video", "x", "44", ""], _root.Entry("etc/group", "video")!);
        Assert.Equal("", _root.Entry("etc/group", "gpio")![3]);
    }

    [DpkgFact]
    public async Task The_arm64_package_carries_an_aarch64_agent_and_no_x86_code()
    {
        var package = DebianPackages.Path("arm64");
        Assert.Equal("arm64", await DebianPackages.FieldAsync(package, "Architecture"));
        Assert.Equal(DebianPackages.Version, await DebianPackages.FieldAsync(package, "Version"));

        await Programs.RunOkAsync("dpkg-deb", ["--extract", package, _root.Folder]);

        Assert.Equal(ElfAarch64, DebianPackages.ElfMachine(_root.Path("/opt/edge-anpr/edge-anpr")));
        Assert.Equal(ElfAarch64, DebianPackages.ElfMachine(_root.Path("/opt/edge-anpr/libonnxruntime.so")));
        var programs = Directory.EnumerateFiles(_root.Path("/opt/edge-anpr"), "*", SearchOption.AllDirectories).Where(DebianPackages.IsElf).ToList();
        Assert.True(programs.Count >= 10, $"{programs.Count} ELF files");
        Assert.All(programs, p => Assert.Equal(ElfAarch64, DebianPackages.ElfMachine(p)));
    }

    [Fact]
    public async Task The_address_list_names_the_broker_the_camera_and_for_a_name_the_name_servers()
    {
        using var root = new TempFolder();
        Directory.CreateDirectory(Path.Combine(root.Folder, "etc/edge-anpr"));
        File.WriteAllText(Path.Combine(root.Folder, "etc/resolv.conf"), "nameserver 192.0.2.53\n");
        var config = Path.Combine(root.Folder, "etc/edge-anpr/edge-anpr.json");
        var script = RepositoryFiles.Path("packaging", "debian", "allow-addresses");
        var environment = new Dictionary<string, string> { ["DPKG_ROOT"] = root.Folder };
        var dropIn = Path.Combine(root.Folder, "etc/systemd/system/edge-anpr.service.d/50-addresses.conf");

        // Addresses: taken as they are, user, password and port of the camera's URL left out.
        File.WriteAllText(config, """{ "Camera": { "Source": "rtsp://admin:secret@[2001:db8::5]:554/main" }, "Mqtt": { "Host": "198.51.100.7", "Port": 8883 } }""");
        await Programs.RunOkAsync(script, [], environment);
        Assert.Contains("IPAddressAllow=198.51.100.7 2001:db8::5", File.ReadAllLines(dropIn));

        // A name: its addresses, and the name servers that resolve it; a USB camera has no address.
        File.WriteAllText(config, "{\n  \"Camera\": {\n    \"Source\": \"/dev/video0\"\n  },\n  \"Mqtt\": {\n    \"Host\": \"localhost\"\n  }\n}\n");
        await Programs.RunOkAsync(script, [], environment);
        var allowed = File.ReadAllLines(dropIn).Single(l => l.StartsWith("IPAddressAllow=", StringComparison.Ordinal))["IPAddressAllow=".Length..].Split(' ');
        Assert.Contains("127.0.0.1", allowed);
        Assert.Contains("192.0.2.53", allowed);
        Assert.DoesNotContain(allowed, a => a.StartsWith("/dev", StringComparison.Ordinal));
    }

    // Numeric owner and group (.NET has no API for a file's owner).
    private static async Task<(string User, string Group)> OwnerAsync(string path)
    {
        var ids = (await Programs.RunOkAsync("stat", ["--format=%u %g", path])).Trim().Split(' ');
        return (ids[0], ids[1]);
    }

    // dpkg-deb --raw-extract, the Version field changed, dpkg-deb --build again (fast zstd: it is thrown away).
    private static async Task<string> NextVersionAsync(string package, string folder)
    {
        var tree = Path.Combine(folder, "tree");
        await Programs.RunOkAsync("dpkg-deb", ["--raw-extract", package, tree]);
        var control = Path.Combine(tree, "DEBIAN", "control");
        File.WriteAllText(control, File.ReadAllText(control).Replace($"Version: {DebianPackages.Version}\n", $"Version: {DebianPackages.Version}+next\n", StringComparison.Ordinal));
        var next = Path.Combine(folder, "next.deb");
        await Programs.RunOkAsync("dpkg-deb", ["--build", "--root-owner-group", "-Zzstd", "-z1", tree, next], timeout: TimeSpan.FromMinutes(2));
        return next;
    }
}
