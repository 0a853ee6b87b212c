using System.Text.Json;
using EdgeAnpr.Agent.Tests.Imaging;
using Json.Schema;

namespace EdgeAnpr.Agent.Tests.Delivery;

/// <summary>
/// The committed v1 hit schema, <c>src/Shared/Schemas/hit-event.v1.schema.json</c>, loaded once and evaluated with
/// JsonSchema.Net (draft 2020-12), formats (<c>uuid</c>, <c>date-time</c>) asserted as a station would.
/// </summary>
internal sealed class HitSchema
{
    private static readonly Lazy<HitSchema> Loaded = new(() => new HitSchema(JsonSchema.FromFile(Path)));

    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    private readonly JsonSchema _schema;

    private HitSchema(JsonSchema schema) => _schema = schema;

    public static string Path => RepositoryFiles.Path("src", "Shared", "Schemas", "hit-event.v1.schema.json");

    public static HitSchema Validator => Loaded.Value;

    public static void AssertValid(string json)
    {
        var errors = Validator.Validate(json);
        Assert.True(errors.Count == 0, "The event does not follow the v1 schema:\n" + string.Join("\n", errors) + "\n" + json);
    }

    /// <summary>
    /// Each error as <c>instance location, keyword: message</c> (<c>/plate/confidence maximum: 1.5 should be at most 1</c>;
    /// <c>/</c> is the event itself); none when valid.
    /// </summary>
    public IReadOnlyList<string> Validate(string json)
    {
        using var document = JsonDocument.Parse(json);
        var results = _schema.Evaluate(document.RootElement, Options);
        return results.IsValid
            ? []
            : [.. (results.Details ?? []).Prepend(results)
                .Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{Location(d)}{(e.Key.Length > 0 ? " " : "")}{e.Key}: {e.Value}"))];
    }

    private static string Location(EvaluationResults result) => result.InstanceLocation.ToString() is { Length: > 0 } pointer ? pointer : "/";
}
