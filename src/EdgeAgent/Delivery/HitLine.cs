using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeAnpr.Shared.Events;

namespace EdgeAnpr.Agent.Delivery;

/// <summary>
/// One printed line per hit, for <c>station listen</c> and <c>replay</c>: JSON for programs (<c>"type":"hit"</c>, the
/// topic when known, then the event's own members) or a line of text for people.
/// </summary>
public static class HitLine
{
    /// <summary><c>{"type":"hit","topic":...,"eventId":...,...}</c> on one line.</summary>
    public static string Json(HitEvent hit, string? topic = null)
    {
        ArgumentNullException.ThrowIfNull(hit);
        using var document = JsonDocument.Parse(HitPayload.Serialize(hit));
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "hit"u8);
            if (topic is not null)
            {
                writer.WriteString("topic"u8, topic);
            }

            foreach (var member in document.RootElement.EnumerateObject())
            {
                member.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// <c>2025-01-01T08:30:00.123Z site1/cam1 AYO9034 (latin 0.97) exact entry W-17 p5: stolen [replayed] 0194...</c>
    /// </summary>
    public static string Text(HitEvent hit)
    {
        ArgumentNullException.ThrowIfNull(hit);
        var match = hit.Match is { } m
            ? $"{(m.Kind == MatchKind.Exact ? "exact" : "tolerant")} entry {m.EntryId} p{m.Priority}: {m.Reason}{(m.Substitutions is { } s ? $" ({s})" : "")}"
            : "no match";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{hit.CapturedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {hit.SiteId}/{hit.CameraId} {hit.Plate.Display} ({hit.Plate.Region} {hit.Plate.Confidence:0.00}) {match}{(hit.Replayed ? " [replayed]" : "")} {hit.EventId}");
    }
}
