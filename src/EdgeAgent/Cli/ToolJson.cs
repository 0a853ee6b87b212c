using System.Text.Json.Serialization;

namespace EdgeAnpr.Agent.Cli;

/// <summary>Source-generated JSON for the technician's tools (<c>outbox</c>, <c>gpio</c>, <c>mqtt test</c>, <c>logs bundle</c>): camelCase, no reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never, UseStringEnumConverter = true)]
[JsonSerializable(typeof(OutboxHitJson))]
[JsonSerializable(typeof(OutboxCountJson))]
[JsonSerializable(typeof(OutboxChangeJson))]
[JsonSerializable(typeof(LogBundleJson))]
[JsonSerializable(typeof(MqttTestJson))]
[JsonSerializable(typeof(GpioLineJson))]
[JsonSerializable(typeof(GpioEdgeJson))]
internal sealed partial class ToolJson : JsonSerializerContext;
