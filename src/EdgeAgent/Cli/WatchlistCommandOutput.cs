using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Watchlist;

namespace EdgeAnpr.Agent.Cli;

/// <summary>One entry as the watchlist commands print it with <c>--json</c>.</summary>
internal sealed record WatchlistEntryJson(
    string Id, string Plate, string Region, string Reason, string? Category, int Priority, DateTimeOffset? ValidFrom, DateTimeOffset? ValidUntil, string Source)
{
    public static WatchlistEntryJson Of(WatchlistEntry entry) => new(
        entry.Id, entry.Plate, entry.Region, entry.Reason, entry.Category, entry.Priority, entry.ValidFrom, entry.ValidUntil,
        entry.Source == WatchlistSource.Local ? "local" : "station");
}

/// <summary>A <c>watchlist find</c> hit: how it matched (<c>exact</c> or <c>tolerant: O→0 at 3</c>), the entry, and whether it is in force now.</summary>
internal sealed record WatchlistFindJson(string Read, string Kind, string How, IReadOnlyList<string> Edits, string State, WatchlistEntryJson Entry);

internal sealed record WatchlistVersionJson(
    long? Version, string? SnapshotHash, string? KeyId, DateTimeOffset? AppliedAt, int Entries, int Station, int Local);

internal sealed record WatchlistImportJson(string File, int Imported, int Replaced, bool Replace);

internal sealed record KeysJson(string PrivateKeyFile, string PublicKeyFile, string KeyId);

internal sealed record StationPublishJson(string Kind, string Site, long Version, long? BaseVersion, int Entries, int Removals, string KeyId, int Bytes, string? Topic, string? Broker, string? File);

/// <summary>Source-generated JSON for the watchlist, keys and station commands: camelCase, no reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(WatchlistEntryJson))]
[JsonSerializable(typeof(WatchlistFindJson))]
[JsonSerializable(typeof(WatchlistVersionJson))]
[JsonSerializable(typeof(WatchlistImportJson))]
[JsonSerializable(typeof(KeysJson))]
[JsonSerializable(typeof(StationPublishJson))]
internal sealed partial class WatchlistCliJson : JsonSerializerContext;

/// <summary>Text for people: one line per entry, columns aligned, times in UTC.</summary>
internal static class WatchlistCommandOutput
{
    /// <summary>How many problems of a bad CSV file are printed before "... and N more".</summary>
    public const int MaxProblemsShown = 50;

    public const string ListHeader = "ID                        PLATE         REGION  PRI  VALID UNTIL           SOURCE   REASON";

    public static string Line(WatchlistEntry entry) => string.Create(
        CultureInfo.InvariantCulture,
        $"{entry.Id,-25} {entry.Plate,-13} {entry.Region,-7} {entry.Priority,3}  {Time(entry.ValidUntil),-20}  {(entry.Source == WatchlistSource.Local ? "local" : "station"),-7}  {entry.Reason}{(entry.Category is { } c ? $" ({c})" : "")}");

    public static string Json(WatchlistEntry entry) => JsonSerializer.Serialize(WatchlistEntryJson.Of(entry), WatchlistCliJson.Default.WatchlistEntryJson);

    public static string State(WatchlistEntry entry, DateTimeOffset now) =>
        WatchlistMatch.IsActive(entry, now) ? "active" : entry.ValidFrom > now ? "not yet valid" : "expired";

    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture) : "-";
}
