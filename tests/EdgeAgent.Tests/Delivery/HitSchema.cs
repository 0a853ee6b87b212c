using EdgeAnpr.Agent.Tests.Imaging;

namespace EdgeAnpr.Agent.Tests.Delivery;

/// <summary>The committed v1 hit schema, <c>src/Shared/Schemas/hit-event.v1.schema.json</c>, loaded once.</summary>
internal static class HitSchema
{
    private static readonly Lazy<JsonSchemaValidator> Loaded = new(() => JsonSchemaValidator.Load(Path));

    public static string Path => RepositoryFiles.Path("src", "Shared", "Schemas", "hit-event.v1.schema.json");

    public static JsonSchemaValidator Validator => Loaded.Value;

    public static void AssertValid(string json)
    {
        var errors = Validator.Validate(json);
        Assert.True(errors.Count == 0, "The event does not follow the v1 schema:\n" + string.Join("\n", errors) + "\n" + json);
    }
}
