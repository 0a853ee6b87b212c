using System.Text.Json.Serialization;

namespace EdgeAnpr.Shared.Watchlist;

/// <summary>
/// Source-generated JSON for the signed body: camelCase, strict. Unknown fields, missing required ones, nulls where
/// the contract has none and repeated property names are all errors: a signed message must mean one thing to every
/// parser that reads it.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(WatchlistBody))]
internal sealed partial class WatchlistJson : JsonSerializerContext;
