namespace EdgeAnpr.Agent.Tests.Packaging;

/// <summary>A test that needs Debian's dpkg: skipped, with the reason shown, where there is none.</summary>
internal sealed class DpkgFactAttribute : FactAttribute
{
    public DpkgFactAttribute()
    {
        if (!File.Exists("/usr/bin/dpkg") || !File.Exists("/usr/bin/dpkg-deb"))
        {
            Skip = "needs Debian's dpkg and dpkg-deb (/usr/bin/dpkg, /usr/bin/dpkg-deb): not a Debian machine";
        }
    }
}
