using System.Text.Json.Serialization;
using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Shared.Watchlist;

/// <summary>
/// One watchlist entry as a station sends it (inside a signed <see cref="WatchlistBody"/>). <see cref="Plate"/> is the
/// canonical text of <see cref="PlateText"/> for <see cref="Region"/> (a station canonicalises before it signs; the box
/// refuses anything else, so the signed bytes and the stored entry say the same thing). Validity is
/// [<see cref="ValidFrom"/>, <see cref="ValidUntil"/>), either end open when null. <see cref="Priority"/> runs from
/// <see cref="MostUrgent"/> (1) to <see cref="LeastUrgent"/> (9), as for the relay pulse (Gpio:PulseByPriority).
/// </summary>
public sealed record WatchlistItem
{
    public const int MostUrgent = 1;

    public const int LeastUrgent = 9;

    /// <summary>The priority of a row or entry that does not give one.</summary>
    public const int DefaultPriority = 2;

    public const int MaxIdLength = 128;

    public const int MaxReasonLength = 200;

    public const int MaxCategoryLength = 64;

    /// <summary>Ids with this prefix belong to technicians' local entries on a box; a station may not use them.</summary>
    public const string LocalIdPrefix = "local-";

    /// <summary>The station's id of the entry, unique within its list (a delta's removals name it).</summary>
    public required string Id { get; init; }

    public required string Plate { get; init; }

    /// <summary>A region code: <c>ir</c>, <c>kz</c>, <c>ru</c> or <c>latin</c> (<see cref="PlateRegions.Code"/>).</summary>
    public required string Region { get; init; }

    public required string Reason { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Category { get; init; }

    public required int Priority { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ValidFrom { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ValidUntil { get; init; }

    /// <summary>The id a station gives an entry that has none of its own: <c>{region}-{plate}</c>, one entry per plate.</summary>
    public static string DerivedId(PlateText plate)
    {
        ArgumentNullException.ThrowIfNull(plate);
        return $"{plate.Region.Code()}-{plate.Value}";
    }

    /// <summary>What is wrong with this entry as a station entry, one line, or null when it is sound.</summary>
    public string? Problem()
    {
        if (string.IsNullOrWhiteSpace(Id) || Id.Length > MaxIdLength || Id.Any(char.IsControl))
        {
            return $"id '{Id}' must be 1 to {MaxIdLength} characters without control characters";
        }

        if (Id.StartsWith(LocalIdPrefix, StringComparison.Ordinal))
        {
            return $"id '{Id}' starts with '{LocalIdPrefix}', which is kept for technicians' entries on the box";
        }

        if (!PlateRegions.TryParse(Region, out var region) || region.Code() != Region)
        {
            return $"region '{Region}' is not one of ir, kz, ru, latin (lower case)";
        }

        if (!PlateText.TryParse(Plate, region, out var plate, out var problem))
        {
            return $"plate: {problem}";
        }

        if (plate.Value != Plate)
        {
            return $"plate '{Plate}' is not in canonical form (it would be '{plate.Value}')";
        }

        if (string.IsNullOrWhiteSpace(Reason) || Reason.Length > MaxReasonLength)
        {
            return $"reason must be 1 to {MaxReasonLength} characters";
        }

        if (Category is not null && (Category.Length is 0 or > MaxCategoryLength))
        {
            return $"category must be 1 to {MaxCategoryLength} characters when given";
        }

        if (Priority is < MostUrgent or > LeastUrgent)
        {
            return $"priority {Priority} is outside {MostUrgent} (most urgent) to {LeastUrgent}";
        }

        return ValidFrom >= ValidUntil ? $"valid from {ValidFrom:O} is not before valid until {ValidUntil:O}" : null;
    }
}
