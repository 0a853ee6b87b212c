using System.Text.Json.Serialization;

namespace EdgeAnpr.Shared.Events;

/// <summary>
/// A watchlist hit as it travels from the box to the station on <c>anpr/v1/{site}/{camera}/hit</c> (QoS 1), version 1
/// of the contract in <c>src/Shared/Schemas/hit-event.v1.schema.json</c>. Serialise with <see cref="EventJson"/>
/// (camelCase, UTC times ending in <c>Z</c>). Delivery is at least once: a station deduplicates on <see cref="EventId"/>.
/// </summary>
/// <param name="EventId">A UUIDv7 (RFC 9562) made from the box's clock when the hit was made: unique, roughly time-ordered.</param>
/// <param name="Version">The contract's version, <see cref="CurrentVersion"/>.</param>
/// <param name="SiteId">The site (<c>Site:Id</c>).</param>
/// <param name="CameraId">The camera (<c>Camera:Id</c>).</param>
/// <param name="CapturedAt">When the frame the plate was read from was captured (UTC).</param>
/// <param name="Plate">What was read.</param>
/// <param name="Match">The watchlist entry it matched; null only for an unmatched read published under <c>Delivery:PublishReads</c>.</param>
/// <param name="Track">The vehicle pass the read was voted from.</param>
/// <param name="Image">The plate crop as a small JPEG, or null when none was kept.</param>
/// <param name="Replayed">
/// True when the hit was sent after a reconnect rather than live: it was stored while the link was down, or before
/// the box restarted. Kept last in the JSON so the box can set it on the stored bytes at publish time.
/// </param>
public sealed record HitEvent(
    string EventId,
    int Version,
    string SiteId,
    string CameraId,
    DateTimeOffset CapturedAt,
    HitPlate Plate,
    HitMatch? Match,
    HitTrack Track,
    HitImage? Image,
    bool Replayed)
{
    /// <summary>The version of the contract this build writes.</summary>
    public const int CurrentVersion = 1;
}

/// <summary>The plate as read: canonical <see cref="Text"/>, <see cref="Display"/> text for people, region code, confidence 0..1.</summary>
public sealed record HitPlate(string Text, string Display, string Region, double Confidence);

/// <summary>How a read matched a watchlist entry.</summary>
public enum MatchKind
{
    /// <summary>The read is the entry's plate, character for character.</summary>
    [JsonStringEnumMemberName("exact")]
    Exact,

    /// <summary>The read matched after allowed look-alike substitutions (0/O, 8/B ...); see <see cref="HitMatch.Substitutions"/>.</summary>
    [JsonStringEnumMemberName("tolerant")]
    Tolerant,
}

/// <summary>
/// The watchlist entry a read matched: its id (as the station assigned it), why it is listed, its priority, and how
/// it matched. <see cref="Substitutions"/> says which characters were taken as look-alikes for a tolerant match
/// (e.g. <c>0→O@3</c>), null for an exact one.
/// </summary>
public sealed record HitMatch(string EntryId, string Reason, int Priority, MatchKind Kind, string? Substitutions = null);

/// <summary>The vehicle pass: how many frames the plate was detected in, how many gave a read, first and last seen (UTC).</summary>
public sealed record HitTrack(int Frames, int Reads, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

/// <summary>An image: media type, size in pixels, bytes in standard base64 (RFC 4648 section 4).</summary>
public sealed record HitImage(string ContentType, int Width, int Height, string Data)
{
    public const string Jpeg = "image/jpeg";
}
