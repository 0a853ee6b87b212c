namespace EdgeAnpr.Agent.Tests.Packaging;

/// <summary>
/// An empty root with its own dpkg database, into which <c>dpkg --root</c> installs, removes and purges packages.
/// The maintainer scripts run on this machine (<c>--force-script-chrootless</c>: the root holds no shell to chroot
/// into) with <c>DPKG_ROOT</c> set, which they honour by working only under the root. Dependencies are not there
/// (<c>--force-depends</c>): the installed agent uses this machine's libraries, as it would the box's.
/// </summary>
internal sealed class ThrowawayRoot : IDisposable
{
    public ThrowawayRoot()
    {
        Directory.CreateDirectory(Path("var/lib/dpkg/updates"));
        Directory.CreateDirectory(Path("var/lib/dpkg/info"));
        File.WriteAllText(Path("var/lib/dpkg/status"), "");

        // What Debian's base-passwd gives every system: root, and the video group (44) that owns the cameras.
        Directory.CreateDirectory(Path("etc"));
        File.WriteAllText(Path("etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        File.WriteAllText(Path("etc/group"), "root:x:0:\nvideo:x:44:\n");
        File.WriteAllText(Path("etc/shadow"), "root:*:19000:0:99999:7:::\n");
        File.WriteAllText(Path("etc/gshadow"), "root:*::\nvideo:*::\n");
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("edge-anpr-root-").FullName;

    /// <summary>A path inside the root, from the root's own "/".</summary>
    public string Path(string path) => System.IO.Path.Combine(Folder, path.TrimStart('/'));

    public Task<string> InstallAsync(string package) => DpkgAsync("--install", package);

    public Task<string> RemoveAsync() => DpkgAsync("--remove", "edge-anpr");

    public Task<string> PurgeAsync() => DpkgAsync("--purge", "edge-anpr");

    /// <summary>The root's /etc/passwd or /etc/group entry of that name, split at the colons; null if none.</summary>
    public string[]? Entry(string file, string name) =>
        File.ReadAllLines(Path(file)).Select(line => line.Split(':')).FirstOrDefault(fields => fields[0] == name);

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    private Task<string> DpkgAsync(string action, string what) => Programs.RunOkAsync(
        "dpkg",
        [$"--root={Folder}", "--force-script-chrootless", "--force-depends", "--force-unsafe-io", "--log=/dev/null", action, what],
        timeout: TimeSpan.FromMinutes(2));
}
