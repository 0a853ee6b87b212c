using System.Security.Cryptography;
using EdgeAnpr.Shared.Watchlist;

namespace EdgeAnpr.Agent.Station;

/// <summary>The key pair <c>edge-anpr keys generate</c> writes, and its id.</summary>
internal sealed record GeneratedKeys(string PrivateKeyFile, string PublicKeyFile, string KeyId);

/// <summary>
/// A station's signing key pair as two PEM files: <see cref="PrivateKeyFileName"/> (PKCS#8, mode 600 from the moment it
/// exists: created with that mode, never chmod-ed after writing) stays at the station; <see cref="PublicKeyFileName"/>
/// (SubjectPublicKeyInfo, mode 644) goes to every box, named in <c>Watchlist:StationKeyFiles</c>.
/// </summary>
internal static class StationKeyFiles
{
    public const string PrivateKeyFileName = "station-private.pem";

    public const string PublicKeyFileName = "station-public.pem";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode Public = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Makes a new P-256 key pair in <paramref name="directory"/> (created if missing).</summary>
    /// <exception cref="IOException">A key file exists and <paramref name="overwrite"/> is false, or writing failed.</exception>
    public static GeneratedKeys Generate(string directory, bool overwrite)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        var privatePath = Path.GetFullPath(Path.Combine(directory, PrivateKeyFileName));
        var publicPath = Path.GetFullPath(Path.Combine(directory, PublicKeyFileName));
        foreach (var path in new[] { privatePath, publicPath })
        {
            if (File.Exists(path))
            {
                if (!overwrite)
                {
                    throw new IOException($"{path} already exists; give --force to replace the key pair (boxes trusting the old public key will then refuse new messages)");
                }

                // Deleted, not truncated: the new file must be created with its own mode.
                File.Delete(path);
            }
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Write(privatePath, key.ExportPkcs8PrivateKeyPem(), OwnerOnly);
        Write(publicPath, key.ExportSubjectPublicKeyInfoPem(), Public);
        return new GeneratedKeys(privatePath, publicPath, StationKey.IdOf(key));
    }

    /// <summary>Reads a station's private key for signing; throws <see cref="FormatException"/> or <see cref="IOException"/> naming the problem.</summary>
    public static ECDsa ReadPrivateKey(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return StationKey.PrivateKeyFromPem(File.ReadAllText(path));
    }

    private static void Write(string path, string pem, UnixFileMode mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(pem);
        writer.Write('\n');
    }
}
