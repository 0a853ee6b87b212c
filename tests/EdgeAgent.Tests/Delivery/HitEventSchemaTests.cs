using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Delivery;

/// <summary>The v1 schema accepts what the box produces and rejects what a station must not take for a hit.</summary>
public sealed class HitEventSchemaTests
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2025, 3, 1, 8, 30, 0, TimeSpan.Zero));

    [Fact]
    public void A_produced_event_is_valid()
    {
        Assert.Empty(HitSchema.Validator.Validate(ValidEvent().ToJsonString()));
    }

    [Theory]
    [InlineData("missing eventId", "$.eventId", null, "required member 'eventId'")]
    [InlineData("a version 4 uuid", "$.eventId", "\"0b7d1a55-1f1c-4c53-9a3e-2f4a5b6c7d8e\"", "does not match")]
    [InlineData("not a uuid", "$.eventId", "\"hit-1\"", "not a valid uuid")]
    [InlineData("upper-case uuid", "$.eventId", "\"0194F0C2-8E4A-7B2C-9D3E-1F2A3B4C5D6E\"", "does not match")]
    [InlineData("a local time", "$.capturedAt", "\"2025-03-01T10:30:00.000+02:00\"", "does not match Z$")]
    [InlineData("not a time", "$.capturedAt", "\"yesterday at noon\"", "not a valid date-time")]
    [InlineData("an unknown member", "$.speed", "88", "'speed' is not allowed")]
    [InlineData("another version", "$.version", "2", "not one of [1]")]
    [InlineData("a site that is not a topic level", "$.siteId", "\"site/1\"", "does not match")]
    [InlineData("a confidence over 1", "$.plate.confidence", "1.5", "more than the maximum")]
    [InlineData("an unknown region", "$.plate.region", "\"de\"", "not one of")]
    [InlineData("an empty plate", "$.plate.text", "\"\"", "shorter than 1")]
    [InlineData("no match kind", "$.match.kind", null, "required member 'kind'")]
    [InlineData("a fuzzy match", "$.match.kind", "\"fuzzy\"", "not one of")]
    [InlineData("a fractional priority", "$.match.priority", "2.5", "not integer")]
    [InlineData("no frames", "$.track.frames", "0", "less than the minimum")]
    [InlineData("a png", "$.image.data", "\"iVBORw0KGgoAAAANSUhEUgAA\"", "does not match")]
    [InlineData("a bmp content type", "$.image.contentType", "\"image/bmp\"", "not one of")]
    [InlineData("replayed as text", "$.replayed", "\"yes\"", "not boolean")]
    [InlineData("a plate that is a string", "$.plate", "\"AYO9034\"", "not object")]
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

        Assert.Contains(HitSchema.Validator.Validate(hit.ToJsonString()), e => e.Contains("longer than 65536", StringComparison.Ordinal));
    }

    [Fact]
    public void The_validator_checks_each_keyword_it_knows()
    {
        var validator = Schema("""
            {
              "type": "object",
              "properties": {
                "n": { "type": "integer", "minimum": 1, "maximum": 3 },
                "s": { "type": "string", "minLength": 2, "maxLength": 3, "pattern": "^a" },
                "list": { "type": "array", "items": { "enum": ["x", "y"] } },
                "either": { "type": ["string", "null"] },
                "t": { "type": "string", "format": "date-time" },
                "u": { "type": "string", "format": "uuid" },
                "r": { "$ref": "#/$defs/positive" }
              },
              "additionalProperties": { "type": "boolean" },
              "$defs": { "positive": { "type": "number", "minimum": 0 } }
            }
            """);

        Assert.Empty(validator.Validate("""{"n":2,"s":"ab","list":["x","y"],"either":null,"t":"2025-01-01T00:00:00Z","u":"0194f0c2-8e4a-7b2c-9d3e-1f2a3b4c5d6e","r":0.5,"flag":true}"""));
        Assert.Empty(validator.Validate("""{"s":"aßc"}"""));
        AssertFails(validator, """{"n":2.5}""", "not integer");
        AssertFails(validator, """{"n":0}""", "less than the minimum");
        AssertFails(validator, """{"n":4}""", "more than the maximum");
        AssertFails(validator, """{"s":"a"}""", "shorter than 2");
        AssertFails(validator, """{"s":"abcd"}""", "longer than 3");
        AssertFails(validator, """{"s":"bc"}""", "does not match ^a");
        AssertFails(validator, """{"list":["x","z"]}""", "$.list[1]");
        AssertFails(validator, """{"either":1}""", "not string or null");
        AssertFails(validator, """{"t":"2025-13-01T00:00:00Z"}""", "not a valid date-time");
        AssertFails(validator, """{"u":"0194f0c2-8e4a-7b2c-9d3e"}""", "not a valid uuid");
        AssertFails(validator, """{"r":-1}""", "less than the minimum");
        AssertFails(validator, """{"flag":"yes"}""", "not boolean");
        AssertFails(validator, "[]", "not object");
    }

    [Fact]
    public void The_validator_refuses_keywords_it_does_not_know()
    {
        var validator = Schema("""{ "type": "object", "minProperties": 1 }""");

        Assert.Throws<NotSupportedException>(() => validator.Validate("{}"));
    }

    private static JsonSchemaValidator Schema(string json)
    {
        using var document = JsonDocument.Parse(json);
        return new JsonSchemaValidator(document.RootElement);
    }

    private static void AssertFails(JsonSchemaValidator validator, string json, string expected)
    {
        var errors = validator.Validate(json);
        Assert.True(errors.Any(e => e.Contains(expected, StringComparison.Ordinal)), $"{json}: expected '{expected}', got: {string.Join(" | ", errors)}");
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
