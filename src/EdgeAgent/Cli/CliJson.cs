using System.Text.Json.Serialization;

namespace EdgeAnpr.Agent.Cli;

/// <summary>Source-generated JSON for what the CLI prints: camelCase, no reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ReplaySummary))]
[JsonSerializable(typeof(ReplayRead))]
[JsonSerializable(typeof(DoctorReport))]
[JsonSerializable(typeof(SnapshotWritten))]
[JsonSerializable(typeof(AimSummary))]
internal sealed partial class CliJson : JsonSerializerContext;
