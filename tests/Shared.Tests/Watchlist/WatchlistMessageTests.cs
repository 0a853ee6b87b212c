using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using EdgeAnpr.Shared.Watchlist;

namespace EdgeAnpr.Shared.Tests.Watchlist;

public sealed class WatchlistMessageTests : IDisposable
{
    private const long Limit = 1024 * 1024;
    private static readonly DateTimeOffset Issued = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ECDsa _station = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly StationKey _trusted;

    public WatchlistMessageTests()
    {
        _trusted = StationKey.FromPublicPem(_station.ExportSubjectPublicKeyInfoPem());
    }

    public void Dispose()
    {
        _station.Dispose();
        _other.Dispose();
        _trusted.Dispose();
    }

    [Theory]
    [InlineData(WatchlistEncoding.Gzip)]
    [InlineData(WatchlistEncoding.Identity)]
    public void A_signed_snapshot_opens_to_the_same_body(WatchlistEncoding encoding)
    {
        var body = Snapshot(7, Item("latin-ABC123", "ABC123"), Item("ir-81و63813", "81و63813", "ir") with { ValidUntil = Issued.AddDays(30), Category = "vehicle" });

        var opened = Open(WatchlistMessage.Sign(body, _station, encoding));

        Assert.Equal(WatchlistMessageKind.Snapshot, opened.Kind);
        Assert.Equal(_trusted.Id, opened.KeyId);
        Assert.Equal(body.Entries, opened.Body.Entries);
        Assert.Equal(7, opened.Body.Version);
        Assert.StartsWith("sha256:", opened.BodyHash, StringComparison.Ordinal);
    }

    [Fact]
    public void A_delta_round_trips_with_its_base_version()
    {
        var body = WatchlistBody.Delta("site1", 7, 8, Issued, _trusted.Id, [Item("latin-XYZ9", "XYZ9")], ["latin-ABC123"]);

        var opened = Open(WatchlistMessage.Sign(body, _station));

        Assert.Equal(WatchlistMessageKind.Delta, opened.Kind);
        Assert.Equal(7, opened.Body.BaseVersion);
        Assert.Equal(["latin-ABC123"], opened.Body.Removals);
    }

    [Fact]
    public void The_key_id_is_sixteen_hex_digits_of_the_public_key_hash_and_the_same_from_either_half()
    {
        Assert.Matches("^[0-9a-f]{16}$", _trusted.Id);
        Assert.Equal(_trusted.Id, StationKey.IdOf(_station));
        Assert.NotEqual(_trusted.Id, StationKey.IdOf(_other));
    }

    [Fact]
    public void An_altered_body_fails_its_signature()
    {
        var envelope = JsonNode.Parse(WatchlistMessage.Sign(Snapshot(1, Item("latin-ABC123", "ABC123")), _station, WatchlistEncoding.Identity))!;
        var body = Encoding.UTF8.GetString(Convert.FromBase64String(envelope["body"]!.GetValue<string>())).Replace("ABC123", "ABC124", StringComparison.Ordinal);
        envelope["body"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(body));

        AssertRefused(WatchlistProblem.BadSignature, Encoding.UTF8.GetBytes(envelope.ToJsonString()));
    }

    [Fact]
    public void A_message_signed_by_another_key_under_the_trusted_id_fails_its_signature()
    {
        var body = Snapshot(1, Item("latin-ABC123", "ABC123")).ToUtf8Json();

        AssertRefused(WatchlistProblem.BadSignature, WatchlistMessage.Seal(body, _other, _trusted.Id));
    }

    [Fact]
    public void A_message_signed_by_an_untrusted_key_names_it()
    {
        var body = Snapshot(1, Item("latin-ABC123", "ABC123")) with { KeyId = StationKey.IdOf(_other) };

        var refused = AssertRefused(WatchlistProblem.UnknownKey, WatchlistMessage.Sign(body, _other));

        Assert.Equal(StationKey.IdOf(_other), refused.ClaimedKeyId);
    }

    [Fact]
    public void A_der_signature_as_openssl_writes_it_is_accepted()
    {
        var body = Snapshot(1, Item("latin-ABC123", "ABC123")).ToUtf8Json();
        var der = _station.SignData(body, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var envelope = $$"""{"v":1,"alg":"ES256","keyId":"{{_trusted.Id}}","body":"{{Convert.ToBase64String(body)}}","signature":"{{Convert.ToBase64String(der)}}"}""";

        Assert.Equal(1, Open(Encoding.UTF8.GetBytes(envelope)).Body.Version);
    }

    [Theory]
    [InlineData("""{"kind":"snapshot","site":"site1","version":1,"entries":[]}""")]
    [InlineData("""{"v":1,"alg":"ES256","keyId":"abc","body":"e30="}""")]
    [InlineData("""{"v":1,"alg":"ES256","keyId":"abc","body":"e30=","signature":""}""")]
    public void An_unsigned_payload_is_refused_as_unsigned(string payload)
    {
        Assert.Equal("unsigned", AssertRefused(WatchlistProblem.NoSignature, Encoding.UTF8.GetBytes(payload)).Problem.Code());
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2,3]")]
    [InlineData("""{"v":1,"alg":"ES256","keyId":"abc","body":"e30=","signature":"AAAA","extra":1}""")]
    [InlineData("""{"v":2,"alg":"ES256","keyId":"abc","body":"e30=","signature":"AAAA"}""")]
    [InlineData("""{"v":1,"alg":"HS256","keyId":"abc","body":"e30=","signature":"AAAA"}""")]
    [InlineData("""{"v":1,"alg":"ES256","keyId":"abc","body":"%%%","signature":"AAAA"}""")]
    [InlineData("""{"v":1,"v":1,"alg":"ES256","keyId":"abc","body":"e30=","signature":"AAAA"}""")]
    public void A_payload_that_is_not_the_envelope_is_malformed(string payload)
    {
        AssertRefused(WatchlistProblem.Malformed, Encoding.UTF8.GetBytes(payload));
    }

    [Theory]
    [InlineData("""{"type":"edge-anpr.watchlist","v":1,"kind":"snapshot","site":"site1","version":1,"issuedAt":"2025-06-01T00:00:00Z","keyId":"KEY","entries":[],"colour":"red"}""")]
    [InlineData("""{"type":"edge-anpr.watchlist","v":1,"kind":"snapshot","site":"site1","version":1,"issuedAt":"2025-06-01T00:00:00Z","keyId":"KEY"}""")]
    [InlineData("""{"type":"edge-anpr.watchlist","v":1,"kind":"snapshot","site":"site1","version":0,"issuedAt":"2025-06-01T00:00:00Z","keyId":"KEY","entries":[]}""")]
    [InlineData("""{"type":"edge-anpr.watchlist","v":1,"kind":"patch","site":"site1","version":1,"issuedAt":"2025-06-01T00:00:00Z","keyId":"KEY","entries":[]}""")]
    [InlineData("""{"type":"other","v":1,"kind":"snapshot","site":"site1","version":1,"issuedAt":"2025-06-01T00:00:00Z","keyId":"KEY","entries":[]}""")]
    [InlineData("""{"type":"edge-anpr.watchlist","v":1,"kind":"snapshot","site":"site1","version":1,"issuedAt":"2025-06-01T00:00:00Z","keyId":"KEY","entries":[{"id":"a","plate":"abc-1","region":"latin","reason":"x","priority":1}]}""")]
    [InlineData("""{"type":"edge-anpr.watchlist","v":1,"kind":"snapshot","site":"site1","version":1,"issuedAt":"2025-06-01T00:00:00Z","keyId":"KEY","entries":[{"id":"local-a","plate":"ABC1","region":"latin","reason":"x","priority":1}]}""")]
    [InlineData("""{"type":"edge-anpr.watchlist","v":1,"kind":"snapshot","site":"site1","version":1,"issuedAt":"2025-06-01T00:00:00Z","keyId":"KEY","entries":[{"id":"a","plate":"ABC1","region":"latin","reason":"x","priority":12}]}""")]
    [InlineData("""{"type":"edge-anpr.watchlist","v":1,"kind":"snapshot","site":"site1","version":1,"issuedAt":"2025-06-01T00:00:00Z","keyId":"KEY","entries":[{"id":"a","plate":"ABC1","region":"latin","reason":null,"priority":1}]}""")]
    [InlineData("""{"type":"edge-anpr.watchlist","v":1,"kind":"delta","site":"site1","version":3,"baseVersion":3,"issuedAt":"2025-06-01T00:00:00Z","keyId":"KEY","upserts":[],"removals":[]}""")]
    [InlineData("""{"type":"edge-anpr.watchlist","v":1,"kind":"snapshot","site":"site1","version":1,"issuedAt":"2025-06-01T00:00:00Z","keyId":"SOMEONE","entries":[]}""")]
    public void A_signed_body_that_is_not_sound_is_malformed(string json)
    {
        var body = Encoding.UTF8.GetBytes(json.Replace("\"KEY\"", $"\"{_trusted.Id}\"", StringComparison.Ordinal));

        AssertRefused(WatchlistProblem.Malformed, WatchlistMessage.Seal(body, _station, _trusted.Id));
    }

    [Fact]
    public void A_body_over_the_limit_after_decompression_is_refused_without_inflating_it_all()
    {
        var bomb = new byte[Limit * 4];
        bomb.AsSpan().Fill((byte)' ');

        var payload = WatchlistMessage.Seal(bomb, _station, _trusted.Id);

        Assert.True(payload.Length < Limit / 10);
        AssertRefused(WatchlistProblem.TooLarge, payload);
    }

    [Fact]
    public void Signing_refuses_an_unsound_body_or_a_key_that_is_not_named()
    {
        Assert.Throws<ArgumentException>(() => WatchlistMessage.Sign(Snapshot(0), _station));
        Assert.Throws<ArgumentException>(() => WatchlistMessage.Sign(Snapshot(1), _other));
    }

    [Fact]
    public void The_body_bytes_are_compact_camel_case_json()
    {
        var envelope = JsonNode.Parse(WatchlistMessage.Sign(Snapshot(3, Item("latin-ABC123", "ABC123")), _station))!;
        using var gzip = new GZipStream(new MemoryStream(Convert.FromBase64String(envelope["body"]!.GetValue<string>())), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);

        var json = reader.ReadToEnd();

        Assert.StartsWith("""{"type":"edge-anpr.watchlist","v":1,"kind":"snapshot","site":"site1","version":3,""", json, StringComparison.Ordinal);
        Assert.Contains("""{"id":"latin-ABC123","plate":"ABC123","region":"latin","reason":"stolen","priority":2}""", json, StringComparison.Ordinal);
        Assert.Equal("gzip", envelope["encoding"]!.GetValue<string>());
        Assert.Equal(64, Convert.FromBase64String(envelope["signature"]!.GetValue<string>()).Length);
    }

    [Fact]
    public void A_private_key_is_refused_where_a_public_key_belongs()
    {
        var problem = Assert.Throws<FormatException>(() => StationKey.FromPublicPem(_station.ExportPkcs8PrivateKeyPem()));

        Assert.Contains("PRIVATE", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_on_another_curve_is_refused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<FormatException>(() => StationKey.FromPublicPem(p384.ExportSubjectPublicKeyInfoPem()));
        Assert.Throws<FormatException>(() => StationKey.PrivateKeyFromPem(p384.ExportPkcs8PrivateKeyPem()));
    }

    [Fact]
    public void A_station_private_key_reads_back_from_pkcs8_and_sec1_pem()
    {
        using var pkcs8 = StationKey.PrivateKeyFromPem(_station.ExportPkcs8PrivateKeyPem());
        using var sec1 = StationKey.PrivateKeyFromPem(_station.ExportECPrivateKeyPem());

        Assert.Equal(_trusted.Id, StationKey.IdOf(pkcs8));
        Assert.Equal(_trusted.Id, StationKey.IdOf(sec1));
    }

    private WatchlistBody Snapshot(long version, params WatchlistItem[] items) => WatchlistBody.Snapshot("site1", version, Issued, _trusted.Id, items);

    private static WatchlistItem Item(string id, string plate, string region = "latin") => new()
    {
        Id = id,
        Plate = plate,
        Region = region,
        Reason = "stolen",
        Priority = WatchlistItem.DefaultPriority,
    };

    private WatchlistMessage Open(byte[] payload) => WatchlistMessage.Open(payload, id => id == _trusted.Id ? _trusted : null, Limit);

    private WatchlistMessageException AssertRefused(WatchlistProblem problem, byte[] payload)
    {
        var refused = Assert.Throws<WatchlistMessageException>(() => Open(payload));
        Assert.True(refused.Problem == problem, $"Expected {problem}, got {refused.Problem}: {refused.Message}");
        Assert.DoesNotContain('\n', refused.Message);
        return refused;
    }
}
