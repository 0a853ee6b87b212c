using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace EdgeAnpr.Shared.Watchlist;

/// <summary>How the signed body bytes are packed in the envelope.</summary>
public enum WatchlistEncoding
{
    /// <summary>The body JSON as is (<c>"encoding":"identity"</c>, also when absent).</summary>
    Identity,

    /// <summary>The body JSON gzipped (<c>"encoding":"gzip"</c>): a 100,000-entry snapshot shrinks about fivefold.</summary>
    Gzip,
}

/// <summary>
/// A signed watchlist message, as published on <c>anpr/v1/{site}/watchlist/snapshot|delta</c>: a small JSON envelope
/// around the exact bytes that were signed.
/// <code>
/// {"v":1,"alg":"ES256","keyId":"3f2a9c0d1e2b4a5f","encoding":"gzip","body":"&lt;base64&gt;","signature":"&lt;base64&gt;"}
/// </code>
/// <list type="bullet">
/// <item><c>body</c>: the bytes of a <see cref="WatchlistBody"/> JSON document, gzipped when <c>encoding</c> says so.</item>
/// <item><c>signature</c>: ECDSA P-256 with SHA-256 over exactly those bytes (as carried, compressed or not): IEEE P1363
/// <c>r||s</c>, 64 bytes, as JWS ES256 (RFC 7518 section 3.4). A DER signature (what <c>openssl dgst -sha256 -sign</c>
/// writes) is accepted too.</item>
/// </list>
/// Signing bytes rather than a re-serialised object leaves no JSON canonicalisation question: the box checks the very
/// bytes it then parses. Site, kind, version and key id are inside the signed body, so none can be swapped in the
/// envelope. <see cref="Open"/> checks in the cheapest order and refuses with a <see cref="WatchlistProblem"/>.
/// </summary>
public sealed class WatchlistMessage
{
    public const string Algorithm = "ES256";

    public const int EnvelopeVersion = 1;

    /// <summary>The size of an IEEE P1363 P-256 signature.</summary>
    private const int P1363SignatureBytes = 64;

    private static readonly HashSet<string> EnvelopeFields = new(StringComparer.Ordinal) { "v", "alg", "keyId", "encoding", "body", "signature" };

    private WatchlistMessage(WatchlistBody body, string keyId, string bodyHash)
    {
        Body = body;
        KeyId = keyId;
        BodyHash = bodyHash;
    }

    public WatchlistBody Body { get; }

    public WatchlistMessageKind Kind => Body.MessageKind;

    /// <summary>The id of the key whose signature verified.</summary>
    public string KeyId { get; }

    /// <summary><c>sha256:&lt;hex&gt;</c> of the signed body bytes: names this exact message (a redelivery has the same).</summary>
    public string BodyHash { get; }

    /// <summary>Serialises, optionally compresses and signs <paramref name="body"/>; returns the envelope's UTF-8 bytes.</summary>
    /// <exception cref="ArgumentException">The body is not sound, or its key id is not <paramref name="key"/>'s.</exception>
    public static byte[] Sign(WatchlistBody body, ECDsa key, WatchlistEncoding encoding = WatchlistEncoding.Gzip)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(key);
        if (body.Problem() is { } problem)
        {
            throw new ArgumentException($"The watchlist body cannot be signed: {problem}.", nameof(body));
        }

        var keyId = StationKey.IdOf(key);
        if (body.KeyId != keyId)
        {
            throw new ArgumentException($"The body names key {body.KeyId} but is signed with key {keyId}.", nameof(body));
        }

        return Seal(body.ToUtf8Json(), key, keyId, encoding);
    }

    /// <summary>
    /// Signs arbitrary body bytes (compressing them first for <see cref="WatchlistEncoding.Gzip"/>) and wraps them in the
    /// envelope, without checking them: for stations that build their own bodies, and for tests of what a box refuses.
    /// </summary>
    public static byte[] Seal(ReadOnlySpan<byte> bodyJson, ECDsa key, string keyId, WatchlistEncoding encoding = WatchlistEncoding.Gzip)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        var carried = encoding == WatchlistEncoding.Gzip ? Gzip(bodyJson) : bodyJson.ToArray();
        var signature = key.SignData(carried, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var output = new ArrayBufferWriter<byte>(carried.Length * 4 / 3 + 256);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", EnvelopeVersion);
            writer.WriteString("alg", Algorithm);
            writer.WriteString("keyId", keyId);
            writer.WriteString("encoding", encoding == WatchlistEncoding.Gzip ? "gzip" : "identity");
            writer.WriteBase64String("body", carried);
            writer.WriteBase64String("signature", signature);
            writer.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Checks and opens a received payload: envelope, key, signature, size after decompression, body. The caller has
    /// already refused payloads over its wire limit (before this parses anything).
    /// </summary>
    /// <param name="payload">The MQTT payload.</param>
    /// <param name="findKey">The trusted key with an id, or null when the box does not trust that id.</param>
    /// <param name="maxBodyBytes">The most body bytes accepted after decompression (a gzip bomb stops there).</param>
    /// <exception cref="WatchlistMessageException">Why the message must not be applied.</exception>
    public static WatchlistMessage Open(ReadOnlyMemory<byte> payload, Func<string, StationKey?> findKey, long maxBodyBytes)
    {
        ArgumentNullException.ThrowIfNull(findKey);
        var envelope = Envelope.Parse(payload);
        var claimed = envelope.KeyId;
        if (findKey(claimed) is not { } key)
        {
            throw new WatchlistMessageException(WatchlistProblem.UnknownKey, $"signed with key {claimed}, which this box is not configured to trust") { ClaimedKeyId = claimed };
        }

        if (!Verify(key.PublicKey, envelope.Body, envelope.Signature))
        {
            throw new WatchlistMessageException(WatchlistProblem.BadSignature, $"the signature does not verify with key {claimed}: forged, altered or signed with another key") { ClaimedKeyId = claimed };
        }

        var bodyHash = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(envelope.Body));
        var json = envelope.Encoding == WatchlistEncoding.Gzip ? Gunzip(envelope.Body, maxBodyBytes) : envelope.Body;
        if (json.Length > maxBodyBytes)
        {
            throw new WatchlistMessageException(WatchlistProblem.TooLarge, $"the body is {json.Length} bytes, over the limit of {maxBodyBytes}") { ClaimedKeyId = claimed };
        }

        WatchlistBody? body;
        try
        {
            body = JsonSerializer.Deserialize(json, WatchlistJson.Default.WatchlistBody);
        }
        catch (JsonException ex)
        {
            throw new WatchlistMessageException(WatchlistProblem.Malformed, $"the signed body is not a watchlist body: {OneLine(ex.Message)}", ex) { ClaimedKeyId = claimed };
        }

        if (body?.Problem() is { } problem || body is null)
        {
            throw new WatchlistMessageException(WatchlistProblem.Malformed, $"the signed body is not sound: {body?.Problem() ?? "null"}") { ClaimedKeyId = claimed };
        }

        if (body.KeyId != claimed)
        {
            throw new WatchlistMessageException(WatchlistProblem.Malformed, $"the body names key {body.KeyId} but the envelope key {claimed}") { ClaimedKeyId = claimed };
        }

        return new WatchlistMessage(body, claimed, bodyHash);
    }

    private static bool Verify(ECDsa key, byte[] data, byte[] signature)
    {
        try
        {
            return key.VerifyData(
                data,
                signature,
                HashAlgorithmName.SHA256,
                signature.Length == P1363SignatureBytes ? DSASignatureFormat.IeeeP1363FixedFieldConcatenation : DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static byte[] Gzip(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream(data.Length / 4 + 64);
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>Decompresses at most <paramref name="max"/> bytes; one more and the message is refused.</summary>
    private static byte[] Gunzip(byte[] data, long max)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(data, writable: false), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                int read;
                while ((read = gzip.Read(buffer, 0, buffer.Length)) > 0)
                {
                    if (output.Length + read > max)
                    {
                        throw new WatchlistMessageException(WatchlistProblem.TooLarge, $"the body is over the limit of {max} bytes after decompression");
                    }

                    output.Write(buffer, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return output.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new WatchlistMessageException(WatchlistProblem.Malformed, $"the body is not valid gzip: {OneLine(ex.Message)}", ex);
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").TrimEnd('.', ' ');

    /// <summary>The envelope's fields, checked.</summary>
    private sealed record Envelope(string KeyId, WatchlistEncoding Encoding, byte[] Body, byte[] Signature)
    {
        public static Envelope Parse(ReadOnlyMemory<byte> payload)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 4, AllowDuplicateProperties = false });
            }
            catch (JsonException ex)
            {
                throw new WatchlistMessageException(WatchlistProblem.Malformed, $"not a JSON envelope: {OneLine(ex.Message)}", ex);
            }
            catch (ArgumentException ex)
            {
                throw new WatchlistMessageException(WatchlistProblem.Malformed, $"not a JSON envelope: {OneLine(ex.Message)}", ex);
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new WatchlistMessageException(WatchlistProblem.Malformed, $"not a JSON envelope: the payload is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object");
                }

                if (!root.TryGetProperty("signature", out var signatureElement))
                {
                    throw new WatchlistMessageException(
                        WatchlistProblem.NoSignature,
                        root.TryGetProperty("kind", out _) || root.TryGetProperty("entries", out _)
                            ? "a bare watchlist body without envelope or signature"
                            : "the envelope has no signature");
                }

                foreach (var property in root.EnumerateObject())
                {
                    if (!EnvelopeFields.Contains(property.Name))
                    {
                        throw new WatchlistMessageException(WatchlistProblem.Malformed, $"the envelope has an unknown field '{property.Name}'");
                    }
                }

                if (!root.TryGetProperty("v", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var version) || version != EnvelopeVersion)
                {
                    throw new WatchlistMessageException(WatchlistProblem.Malformed, $"the envelope's 'v' must be {EnvelopeVersion}");
                }

                // Checked before it is echoed anywhere: the claimed id reaches log lines and audit records.
                var keyId = String(root, "keyId");
                var claimed = keyId is { Length: > 0 and <= 64 } && keyId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? keyId : null;
                if (claimed is null)
                {
                    throw new WatchlistMessageException(WatchlistProblem.Malformed, "the envelope's 'keyId' must be 1 to 64 letters, digits, '-', '_' or '.'");
                }

                if (String(root, "alg") != Algorithm)
                {
                    throw new WatchlistMessageException(WatchlistProblem.Malformed, $"the envelope's 'alg' must be {Algorithm}") { ClaimedKeyId = claimed };
                }

                var encoding = !root.TryGetProperty("encoding", out var encodingElement)
                    ? WatchlistEncoding.Identity
                    : (encodingElement.ValueKind == JsonValueKind.String ? encodingElement.GetString() : null) switch
                    {
                        "identity" => WatchlistEncoding.Identity,
                        "gzip" => WatchlistEncoding.Gzip,
                        var other => throw new WatchlistMessageException(
                            WatchlistProblem.Malformed, $"the envelope's 'encoding' '{other}' is neither gzip nor identity") { ClaimedKeyId = claimed },
                    };

                if (signatureElement.ValueKind != JsonValueKind.String || signatureElement.GetString() is not { Length: > 0 })
                {
                    throw new WatchlistMessageException(WatchlistProblem.NoSignature, "the envelope's signature is empty") { ClaimedKeyId = claimed };
                }

                if (!signatureElement.TryGetBytesFromBase64(out var signature))
                {
                    throw new WatchlistMessageException(WatchlistProblem.Malformed, "the envelope's 'signature' is not base64") { ClaimedKeyId = claimed };
                }

                if (!root.TryGetProperty("body", out var bodyElement) || bodyElement.ValueKind != JsonValueKind.String || !bodyElement.TryGetBytesFromBase64(out var body))
                {
                    throw new WatchlistMessageException(WatchlistProblem.Malformed, "the envelope's 'body' is missing or not base64") { ClaimedKeyId = claimed };
                }

                return new Envelope(claimed, encoding, body, signature);
            }
        }

        private static string? String(JsonElement root, string name) =>
            root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString() : null;
    }
}
