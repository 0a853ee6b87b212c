using System.Text;
using System.Text.Json.Nodes;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAnpr.Agent.Tests.Delivery;

/// <summary>
/// The v1 schema, evaluated by JsonSchema.Net, accepts what the box produces and rejects what a station must not take for a
/// hit: each defect fails at its own place and keyword.
/// </summary>
public sealed class HitEventSchemaTests
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2025, 3, 1, 8, 30, 0, TimeSpan.Zero));

    [Fact]
    public void A_produced_event_is_valid()
    {
        Assert.Empty(HitSchema.Validator.Validate(ValidEvent().ToJsonString()));
    }

    [Theory]
    [InlineData("missing eventId", "$.eventId", null, "/ required: Required properties [\"eventId\"]")]
    [InlineData("a version 4 uuid", "$.eventId", "\"0b7d1a55-1f1c-4c53-9a3e-2f4a5b6c7d8e\"", "/eventId pattern")]
    [InlineData("not a uuid", "$.eventId", "\"hit-1\"", "/eventId format")]
    [InlineData("upper-case uuid", "$.eventId", "\"0194F0C2-8E4A-7B2C-9D3E-1F2A3B4C5D6E\"", "/eventId pattern")]
    [InlineData("a local time", "$.capturedAt", "\"2025-03-01T10:30:00.000+02:00\"", "/capturedAt pattern")]
    [InlineData("not a time", "$.capturedAt", "\"yesterday at noon\"", "/capturedAt format")]
    [InlineData("an unknown member", "$.speed", "88", "/speed: All values fail against the false schema")]
    [InlineData("another version", "$.version", "2", "/version enum")]
    [InlineData("a site that is not a topic level", "$.siteId", "\"site/1\"", "/siteId pattern")]
    [InlineData("a confidence over 1", "$.plate.confidence", "1.5", "/plate/confidence maximum")]
    [InlineData("an unknown region", "$.plate.region", "\"de\"", "/plate/region enum")]
    [InlineData("an empty plate", "$.plate.text", "\"\"", "/plate/text minLength")]
    [InlineData("no match kind", "$.match.kind", null, "/match required: Required properties [\"kind\"]")]
    [InlineData("a fuzzy match", "$.match.kind", "\"fuzzy\"", "/match/kind enum")]
    [InlineData("a fractional priority", "$.match.priority", "2.5", "/match/priority type")]
    [InlineData("no frames", "$.track.frames", "0", "/track/frames minimum")]
    [InlineData("a png", "$.image.data", "\"iVBORw0KGgoAAAANSUhEUgAA\"", "/image/data pattern")]
    [InlineData("a bmp content type", "$.image.contentType", "\"image/bmp\"", "/image/contentType enum")]
    [InlineData("replayed as text", "$.replayed", "\"yes\"", "/replayed type")]
    [InlineData("a plate that is a string", "$.plate", "\"AYO9034\"", "/plate type")]
    public void An_event_with_a_defect_is_rejected(string defect, string path, string? value, string expected)
    {
        var hit = ValidEvent();
        Set(hit, path, value);

        var errors = HitSchema.Validator.Validate(hit.ToJsonString());

        Assert.True(errors.Any(e => e.Contains(expected, StringComparison.Ordinal)), $"{defect}: expected an error with '{expected}', got: {string.Join(" | ", errors)}");
    }

    [Fact]
    public void An_image_over_the_size_limit_is_rejected()
    {
        var hit = ValidEvent();
        hit["image"]!["data"] = "/9j/" + new string('A', HitEventFactory.MaxImageBase64Length);

        Assert.Contains(HitSchema.Validator.Validate(hit.ToJsonString()), e => e.Contains("/image/data maxLength", StringComparison.Ordinal));
    }

    private static JsonObject ValidEvent()
    {
        var factory = new HitEventFactory(new CameraIdentity("site1", "cam1"), Time);
        var json = Encoding.UTF8.GetString(HitPayload.Serialize(factory.Create(TestPasses.Pass(Time), TestPasses.Stolen)));
        return JsonNode.Parse(json)!.AsObject();
    }

    /// <summary>Sets (or with a null value removes) the member at a <c>$.a.b</c> path.</summary>
    private static void Set(JsonObject root, string path, string? value)
    {
        var names = path[2..].Split('.');
        var parent = names[..^1].Aggregate(root, (node, name) => node[name]!.AsObject());
        if (value is null)
        {
            parent.Remove(names[^1]);
        }
        else
        {
            parent[names[^1]] = JsonNode.Parse(value);
        }
    }
}
