namespace EdgeAnpr.Shared.Topics;

/// <summary>
/// The MQTT topic names boxes and stations share. Version 1 of the topic tree:
/// <c>anpr/v1/{site}/{camera}/hit|status|heartbeat</c> from the box, and
/// <c>anpr/v1/{site}/watchlist/snapshot|delta</c> from the station.
/// </summary>
public static class AnprTopics
{
    public const string Root = "anpr/v1";

    public static string Hit(string site, string camera) => $"{Root}/{Segment(site)}/{Segment(camera)}/hit";

    public static string Status(string site, string camera) => $"{Root}/{Segment(site)}/{Segment(camera)}/status";

    public static string Heartbeat(string site, string camera) => $"{Root}/{Segment(site)}/{Segment(camera)}/heartbeat";

    public static string WatchlistSnapshot(string site) => $"{Root}/{Segment(site)}/watchlist/snapshot";

    public static string WatchlistDelta(string site) => $"{Root}/{Segment(site)}/watchlist/delta";

    /// <summary>All hits of a site, for a station subscriber.</summary>
    public static string AllHits(string site) => $"{Root}/{Segment(site)}/+/hit";

    /// <summary>
    /// A topic level must not contain the separator or the wildcards (MQTT 3.1.1 section 4.7.1):
    /// an id that did would publish to, or subscribe to, someone else's topic.
    /// </summary>
    private static string Segment(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (id.AsSpan().IndexOfAny("/+#\0") >= 0)
        {
            throw new ArgumentException($"'{id}' cannot be an MQTT topic level: it contains '/', '+', '#' or NUL.", nameof(id));
        }

        return id;
    }
}
