using System.Security.Cryptography;

namespace EdgeAnpr.Shared.Watchlist;

/// <summary>
/// A station's ECDSA P-256 public key, as a box trusts it, and its <see cref="Id"/>: the first 16 hex digits of the
/// SHA-256 of its SubjectPublicKeyInfo (DER). The id is computed, never configured, so a box's key file and a station's
/// signing key cannot disagree about it; rotating keys means giving the box the new public key file beside the old
/// one. The owner disposes it.
/// </summary>
public sealed class StationKey : IDisposable
{
    /// <summary>The OID of the NIST P-256 curve (secp256r1, prime256v1).</summary>
    public const string P256Oid = "1.2.840.10045.3.1.7";

    private StationKey(ECDsa key, string id)
    {
        PublicKey = key;
        Id = id;
    }

    public string Id { get; }

    /// <summary>The public key (signature checks only).</summary>
    public ECDsa PublicKey { get; }

    /// <summary>Reads a <c>-----BEGIN PUBLIC KEY-----</c> PEM. Throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static StationKey FromPublicPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new FormatException("it holds a PRIVATE key: a box needs only the station's public key (station-public.pem); keep the private key at the station");
        }

        if (!pem.Contains("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal))
        {
            throw new FormatException("it is not a PEM public key (no '-----BEGIN PUBLIC KEY-----' line)");
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            CheckCurve(key);
            return new StationKey(key, IdOf(key));
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new FormatException($"it is not an ECDSA P-256 public key ({ex.Message.TrimEnd('.')})", ex);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Reads a PEM private key (PKCS#8 <c>PRIVATE KEY</c> or SEC1 <c>EC PRIVATE KEY</c>, not encrypted) for signing.</summary>
    public static ECDsa PrivateKeyFromPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (pem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal))
        {
            throw new FormatException("the private key is encrypted; give an unencrypted PEM (keep it on the station's own disk, mode 600)");
        }

        if (!pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new FormatException("it is not a PEM private key (no '-----BEGIN PRIVATE KEY-----' or '-----BEGIN EC PRIVATE KEY-----' line)");
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            CheckCurve(key);
            _ = key.ExportParameters(includePrivateParameters: true);
            return key;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new FormatException($"it is not an ECDSA P-256 private key ({ex.Message.TrimEnd('.')})", ex);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The key id of a key (public or private): 16 hex digits of SHA-256(SubjectPublicKeyInfo).</summary>
    public static string IdOf(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var hash = SHA256.HashData(key.ExportSubjectPublicKeyInfo());
        return Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    public void Dispose() => PublicKey.Dispose();

    private static void CheckCurve(ECDsa key)
    {
        var curve = key.ExportParameters(includePrivateParameters: false).Curve;
        if (curve.Oid?.Value != P256Oid && curve.Oid?.FriendlyName is not ("nistP256" or "ECDSA_P256" or "prime256v1" or "secp256r1"))
        {
            throw new CryptographicException($"the curve is {curve.Oid?.FriendlyName ?? curve.Oid?.Value ?? "explicit"}, not P-256");
        }
    }
}
