using System.Text.Json.Serialization;

namespace EdgeAnpr.Shared.Watchlist;

/// <summary>
/// What a station signs: one snapshot or delta, bound to its site, kind and version inside the signed bytes, so a
/// message signed for site A or for the snapshot topic cannot be replayed to site B or onto the delta topic.
/// <code>
/// {"type":"edge-anpr.watchlist","v":1,"kind":"snapshot","site":"site1","version":42,
///  "issuedAt":"2025-01-01T00:00:00+00:00","keyId":"3f2a9c0d1e2b4a5f",
///  "entries":[{"id":"latin-ABC123","plate":"ABC123","region":"latin","reason":"stolen","priority":1,"validUntil":"2026-01-01T00:00:00+00:00"}]}
/// {"type":"edge-anpr.watchlist","v":1,"kind":"delta","site":"site1","version":43,"baseVersion":42,...,
///  "upserts":[...],"removals":["latin-XYZ9"]}
/// </code>
/// Fields not defined here are refused (a typo at a station is reported, not ignored). Versions only grow; a
/// delta applies only on exactly its <see cref="BaseVersion"/>.
/// </summary>
public sealed record WatchlistBody
{
    /// <summary>The value of <see cref="Type"/>: keeps a signature over any other JSON the key may sign from passing as a watchlist.</summary>
    public const string TypeName = "edge-anpr.watchlist";

    public const int CurrentFormat = 1;

    public required string Type { get; init; }

    /// <summary>The format version: <see cref="CurrentFormat"/>.</summary>
    public required int V { get; init; }

    /// <summary><c>snapshot</c> or <c>delta</c> (<see cref="WatchlistMessageKinds"/>).</summary>
    public required string Kind { get; init; }

    /// <summary>The site id (<c>Site:Id</c> of the boxes it is meant for).</summary>
    public required string Site { get; init; }

    /// <summary>The list version this message brings the box to; at least 1, always growing.</summary>
    public required long Version { get; init; }

    /// <summary>For a delta: the version it applies on. Absent for a snapshot.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? BaseVersion { get; init; }

    /// <summary>When the station signed it (informational: boxes' clocks are not trusted to judge freshness).</summary>
    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>The signing key's id, the same as the envelope's (<see cref="StationKey.Id"/>).</summary>
    public required string KeyId { get; init; }

    /// <summary>A snapshot's whole list.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<WatchlistItem>? Entries { get; init; }

    /// <summary>A delta's added or changed entries.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<WatchlistItem>? Upserts { get; init; }

    /// <summary>A delta's removed entry ids.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Removals { get; init; }

    /// <summary>A snapshot body, ready to sign.</summary>
    public static WatchlistBody Snapshot(string site, long version, DateTimeOffset issuedAt, string keyId, IReadOnlyList<WatchlistItem> entries) => new()
    {
        Type = TypeName,
        V = CurrentFormat,
        Kind = WatchlistMessageKind.Snapshot.Code(),
        Site = site,
        Version = version,
        IssuedAt = issuedAt,
        KeyId = keyId,
        Entries = entries,
    };

    /// <summary>A delta body, ready to sign.</summary>
    public static WatchlistBody Delta(
        string site, long baseVersion, long version, DateTimeOffset issuedAt, string keyId, IReadOnlyList<WatchlistItem> upserts, IReadOnlyList<string> removals) => new()
    {
        Type = TypeName,
        V = CurrentFormat,
        Kind = WatchlistMessageKind.Delta.Code(),
        Site = site,
        Version = version,
        BaseVersion = baseVersion,
        IssuedAt = issuedAt,
        KeyId = keyId,
        Upserts = upserts,
        Removals = removals,
    };

    /// <summary>The body as compact UTF-8 JSON, as <see cref="WatchlistMessage.Sign"/> signs it (for stations signing with other tools).</summary>
    public byte[] ToUtf8Json() => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(this, WatchlistJson.Default.WatchlistBody);

    /// <summary>The kind; only meaningful once <see cref="Problem"/> returned null.</summary>
    [JsonIgnore]
    public WatchlistMessageKind MessageKind => WatchlistMessageKinds.TryParse(Kind, out var kind) ? kind : default;

    /// <summary>What is wrong with this body, one line naming the field (and entry), or null when it can be applied.</summary>
    public string? Problem()
    {
        if (Type != TypeName)
        {
            return $"type '{Type}' is not '{TypeName}'";
        }

        if (V != CurrentFormat)
        {
            return $"format version {V} is not supported (this build reads {CurrentFormat})";
        }

        if (!WatchlistMessageKinds.TryParse(Kind, out var kind))
        {
            return $"kind '{Kind}' is neither 'snapshot' nor 'delta'";
        }

        if (string.IsNullOrWhiteSpace(Site) || string.IsNullOrWhiteSpace(KeyId))
        {
            return "site and keyId must not be empty";
        }

        if (Version < 1)
        {
            return $"version {Version} must be at least 1";
        }

        return kind == WatchlistMessageKind.Snapshot ? SnapshotProblem() : DeltaProblem();
    }

    private string? SnapshotProblem()
    {
        if (Entries is null || Upserts is not null || Removals is not null || BaseVersion is not null)
        {
            return "a snapshot has 'entries' and no 'upserts', 'removals' or 'baseVersion'";
        }

        return ItemsProblem("entries", Entries);
    }

    private string? DeltaProblem()
    {
        if (Upserts is null || Removals is null || Entries is not null || BaseVersion is not { } baseVersion)
        {
            return "a delta has 'baseVersion', 'upserts' and 'removals', and no 'entries'";
        }

        if (baseVersion < 0 || baseVersion >= Version)
        {
            return $"a delta must raise the version: baseVersion {baseVersion}, version {Version}";
        }

        var removed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in Removals)
        {
            if (string.IsNullOrEmpty(id) || !removed.Add(id))
            {
                return $"removals: id '{id}' is empty or repeated";
            }
        }

        if (Upserts.FirstOrDefault(u => u is not null && removed.Contains(u.Id)) is { } both)
        {
            return $"id '{both.Id}' is both upserted and removed";
        }

        return ItemsProblem("upserts", Upserts);
    }

    private static string? ItemsProblem(string field, IReadOnlyList<WatchlistItem> items)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not { } item)
            {
                return $"{field}[{i}] is null";
            }

            if (item.Problem() is { } problem)
            {
                return $"{field}[{i}] ({item.Id}): {problem}";
            }

            if (!ids.Add(item.Id))
            {
                return $"{field}[{i}]: id '{item.Id}' appears twice";
            }
        }

        return null;
    }
}
