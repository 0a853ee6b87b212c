using System.Text.Json.Serialization;

namespace EdgeAnpr.Shared.Events;

/// <summary>
/// Source-generated JSON of the events boxes send (no reflection, trimming-safe): camelCase, nulls written out,
/// times in UTC. Reading is strict about what v1 requires (a missing or null required member fails) and lenient about
/// members it does not know, so a station keeps reading events from a newer box.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UseStringEnumConverter = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(HitEvent))]
[JsonSerializable(typeof(HeartbeatEvent))]
public sealed partial class EventJson : JsonSerializerContext;
