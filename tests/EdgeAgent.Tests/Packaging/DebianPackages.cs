using System.Xml.Linq;
using EdgeAnpr.Agent.Tests.Imaging;

namespace EdgeAnpr.Agent.Tests.Packaging;

/// <summary>The packages <c>./build.sh --target=Package</c> writes: <c>artifacts/edge-anpr_&lt;version&gt;_&lt;arch&gt;.deb</c>.</summary>
internal static class DebianPackages
{
    /// <summary>The project's version (Directory.Build.props), which the build gives the packages.</summary>
    public static string Version { get; } =
        XDocument.Load(RepositoryFiles.Path("Directory.Build.props")).Descendants("Version").Single().Value.Trim();

    public static string Path(string architecture)
    {
        var package = RepositoryFiles.Path("artifacts", $"edge-anpr_{Version}_{architecture}.deb");
        Assert.True(File.Exists(package), $"{package} is missing: build it with ./build.sh --target=Package (the Test target does).");
        return package;
    }

    /// <summary>One field of the package's DEBIAN/control.</summary>
    public static async Task<string> FieldAsync(string package, string field) =>
        (await Programs.RunOkAsync("dpkg-deb", ["--field", package, field])).Trim();

    /// <summary>ELF e_machine (System V gABI: a 16-bit field at offset 18, little-endian here): 62 x86-64, 183 aarch64.</summary>
    public static int ElfMachine(string file)
    {
        var header = new byte[20];
        using (var stream = File.OpenRead(file))
        {
            stream.ReadExactly(header);
        }

        Assert.True(header is [0x7F, (byte)'E', (byte)'L', (byte)'F', ..], $"{file} is not an ELF file");
        Assert.True(header[4] == 2 && header[5] == 1, $"{file} is not a 64-bit little-endian ELF file");
        return header[18] | header[19] << 8;
    }

    public static bool IsElf(string file)
    {
        Span<byte> magic = stackalloc byte[4];
        using var stream = File.OpenRead(file);
        return stream.Read(magic) == 4 && magic is [0x7F, (byte)'E', (byte)'L', (byte)'F'];
    }
}
