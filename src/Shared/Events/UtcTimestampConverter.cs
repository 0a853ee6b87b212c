using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeAnpr.Shared.Events;

/// <summary>
/// Writes times as RFC 3339 UTC with milliseconds (<c>2025-01-01T08:30:00.123Z</c>), the form the schema's
/// <c>date-time</c> fields require; reads any ISO 8601 time with an offset and converts it to UTC.
/// </summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> text = stackalloc char[24];
        value.UtcDateTime.TryFormat(text, out var written, Format, CultureInfo.InvariantCulture);
        writer.WriteStringValue(text[..written]);
    }
}
