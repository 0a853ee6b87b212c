using System.Text.Json;
using EdgeAnpr.Shared.Events;

namespace EdgeAnpr.Shared.Tests.Events;

/// <summary>The wire form of the v1 events: names, order, times, enums, strictness; and that it is the schema's.</summary>
public sealed class EventJsonTests
{
    private static readonly DateTimeOffset Captured = new(2025, 3, 1, 8, 30, 0, 123, TimeSpan.Zero);

    private static readonly HitEvent Hit = new(
        "0195509c-7a3b-7c1d-8e2f-3a4b5c6d7e8f",
        HitEvent.CurrentVersion,
        "site1",
        "cam1",
        Captured,
        new HitPlate("AYO9034", "AYO9034", "latin", 0.97),
        new HitMatch("W-17", "stolen vehicle", 5, MatchKind.Tolerant, "0→O at 3"),
        new HitTrack(12, 10, Captured.AddMilliseconds(-440), Captured),
        new HitImage(HitImage.Jpeg, 200, 60, "/9j/4AAQ"),
        Replayed: false);

    [Fact]
    public void Members_are_camel_case_in_declaration_order_with_replayed_last()
    {
        using var document = JsonDocument.Parse(Serialize(Hit));

        Assert.Equal(
            ["eventId", "version", "siteId", "cameraId", "capturedAt", "plate", "match", "track", "image", "replayed"],
            document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.EndsWith("\"replayed\":false}", Serialize(Hit), StringComparison.Ordinal);
    }

    [Fact]
    public void Times_are_utc_with_milliseconds_and_kinds_are_lower_case()
    {
        var json = Serialize(Hit with { CapturedAt = Captured.ToOffset(TimeSpan.FromHours(3.5)) });

        Assert.Contains("\"capturedAt\":\"2025-03-01T08:30:00.123Z\"", json, StringComparison.Ordinal);
        Assert.Contains("\"firstSeen\":\"2025-03-01T08:29:59.683Z\"", json, StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"tolerant\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void An_event_reads_back_equal_and_times_in_other_offsets_become_utc()
    {
        Assert.Equal(Hit, JsonSerializer.Deserialize(Serialize(Hit), EventJson.Default.HitEvent));

        var local = Serialize(Hit).Replace("2025-03-01T08:30:00.123Z", "2025-03-01T12:00:00.123+03:30", StringComparison.Ordinal);
        var read = JsonSerializer.Deserialize(local, EventJson.Default.HitEvent)!;
        Assert.Equal(Captured, read.CapturedAt);
        Assert.Equal(TimeSpan.Zero, read.CapturedAt.Offset);
    }

    [Theory]
    [InlineData("\"eventId\":\"0195509c-7a3b-7c1d-8e2f-3a4b5c6d7e8f\",")]
    [InlineData("\"plate\":{\"text\":\"AYO9034\",\"display\":\"AYO9034\",\"region\":\"latin\",\"confidence\":0.97},")]
    public void A_missing_required_member_does_not_read(string member)
    {
        var json = Serialize(Hit);
        Assert.Contains(member, json, StringComparison.Ordinal);

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json.Replace(member, "", StringComparison.Ordinal), EventJson.Default.HitEvent));
    }

    [Fact]
    public void Null_where_v1_needs_a_value_does_not_read_but_null_match_and_image_do()
    {
        var json = Serialize(Hit);

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json.Replace("\"siteId\":\"site1\"", "\"siteId\":null", StringComparison.Ordinal), EventJson.Default.HitEvent));
        var bare = JsonSerializer.Deserialize(Serialize(Hit with { Match = null, Image = null }), EventJson.Default.HitEvent)!;
        Assert.Null(bare.Match);
        Assert.Null(bare.Image);
    }

    [Fact]
    public void Members_a_newer_box_adds_are_ignored()
    {
        var json = Serialize(Hit).Replace("\"version\":1,", "\"version\":1,\"speedKmh\":88,", StringComparison.Ordinal);

        Assert.Equal(Hit, JsonSerializer.Deserialize(json, EventJson.Default.HitEvent));
    }

    [Fact]
    public void The_schema_declares_and_requires_exactly_the_members_the_event_writes()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(SchemaPath()));
        using var hit = JsonDocument.Parse(Serialize(Hit));

        AssertSameMembers(schema.RootElement, hit.RootElement, "$");
        foreach (var nested in new[] { "plate", "match", "track", "image" })
        {
            AssertSameMembers(schema.RootElement.GetProperty("properties").GetProperty(nested), hit.RootElement.GetProperty(nested), nested);
        }
    }

    [Fact]
    public void A_heartbeat_reads_back_equal()
    {
        var heartbeat = new HeartbeatEvent("site1", "cam1", Captured, 3600.5, 24.9, 89_640, 12, 1, 3, 4_500, 12.5, 0, 1_234, 42, 51.2);

        var json = JsonSerializer.Serialize(heartbeat, EventJson.Default.HeartbeatEvent);

        Assert.Equal(heartbeat, JsonSerializer.Deserialize(json, EventJson.Default.HeartbeatEvent));
        Assert.Contains("\"oldestUndeliveredSeconds\":12.5", json, StringComparison.Ordinal);
        Assert.Contains("\"sentAt\":\"2025-03-01T08:30:00.123Z\"", json, StringComparison.Ordinal);
    }

    private static void AssertSameMembers(JsonElement schema, JsonElement instance, string where)
    {
        var written = instance.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.True(
            written.SequenceEqual(schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)),
            $"{where}: the schema's properties differ from the members written: {string.Join(", ", written)}");
        Assert.True(
            written.SequenceEqual(schema.GetProperty("required").EnumerateArray().Select(p => p.GetString()!).Order(StringComparer.Ordinal)),
            $"{where}: the schema's required list differs from the members written");
        Assert.False(schema.GetProperty("additionalProperties").GetBoolean(), $"{where}: additionalProperties should be false");
    }

    private static string Serialize(HitEvent hit) => JsonSerializer.Serialize(hit, EventJson.Default.HitEvent);

    private static string SchemaPath()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "EdgeAnpr.sln")))
            {
                return Path.Combine(folder.FullName, "src", "Shared", "Schemas", "hit-event.v1.schema.json");
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds EdgeAnpr.sln.");
    }
}
