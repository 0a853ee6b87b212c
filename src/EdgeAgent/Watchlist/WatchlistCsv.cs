using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using EdgeAnpr.Shared.Plates;
using EdgeAnpr.Shared.Watchlist;

namespace EdgeAnpr.Agent.Watchlist;

/// <summary>One good row of a watchlist CSV file; <see cref="Line"/> is where its record starts (1-based).</summary>
internal sealed record WatchlistCsvRow(
    int Line, string? Id, PlateText Plate, string Reason, string? Category, int Priority, DateTimeOffset? ValidFrom, DateTimeOffset? ValidUntil);

/// <summary>The rows of a file, or what is wrong with it (one line each, by line number); rows count only when there are no errors.</summary>
internal sealed record WatchlistCsvResult(IReadOnlyList<WatchlistCsvRow> Rows, IReadOnlyList<string> Errors)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>
/// Reads the watchlist CSV that technicians import and stations publish (RFC 4180: commas, double-quoted fields with
/// <c>""</c> for a quote, quoted fields may hold commas and line breaks; a UTF-8 BOM, CRLF or LF, blank lines all
/// fine). The header names the columns, in any order, case-insensitive:
/// <c>plate,region,reason,priority,valid_until</c> and optionally <c>category</c>, <c>valid_from</c>, <c>id</c>; all but
/// <c>plate</c> may be left out. Every row is checked and every problem reported with its line number; the caller
/// applies nothing unless <see cref="WatchlistCsvResult.Ok"/>.
/// </summary>
internal static partial class WatchlistCsv
{
    public const string DefaultReason = "unspecified";

    public static IReadOnlyList<string> Columns { get; } = ["plate", "region", "reason", "category", "priority", "valid_from", "valid_until", "id"];

    public static WatchlistCsvResult ReadFile(string path, PlateRegion defaultRegion)
    {
        // UTF-8 unless the file's BOM says otherwise; a UTF-8 BOM is dropped here.
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader.ReadToEnd(), defaultRegion);
    }

    /// <param name="text">The whole file.</param>
    /// <param name="defaultRegion">The region of rows that give none and have no Persian letter (those are <c>ir</c>).</param>
    public static WatchlistCsvResult Read(string text, PlateRegion defaultRegion)
    {
        ArgumentNullException.ThrowIfNull(text);
        var errors = new List<string>();
        var records = Records(text.TrimStart('\uFEFF'), errors);
        if (errors.Count > 0)
        {
            return new WatchlistCsvResult([], errors);
        }

        if (records.Count == 0)
        {
            return new WatchlistCsvResult([], ["the file is empty: it needs a header line such as plate,region,reason,priority,valid_until"]);
        }

        var header = records[0];
        var columns = Header(header, errors);
        if (errors.Count > 0)
        {
            return new WatchlistCsvResult([], errors);
        }

        var rows = new List<WatchlistCsvRow>();
        var plates = new Dictionary<string, int>(StringComparer.Ordinal);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var record in records.Skip(1))
        {
            if (record.Fields.Count != header.Fields.Count)
            {
                errors.Add($"line {record.Line}: {record.Fields.Count} field(s) where the header has {header.Fields.Count}");
                continue;
            }

            if (Row(record, columns, defaultRegion, errors) is not { } row)
            {
                continue;
            }

            if (!plates.TryAdd(row.Plate.Value, row.Line))
            {
                errors.Add($"line {row.Line}: plate {row.Plate.Value} is already on line {plates[row.Plate.Value]}");
            }
            else if (row.Id is { } id && !ids.TryAdd(id, row.Line))
            {
                errors.Add($"line {row.Line}: id '{id}' is already on line {ids[id]}");
            }
            else
            {
                rows.Add(row);
            }
        }

        return new WatchlistCsvResult(errors.Count == 0 ? rows : [], errors);
    }

    private static Dictionary<string, int> Header(Record header, List<string> errors)
    {
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Fields.Count; i++)
        {
            var name = header.Fields[i].Trim().ToLowerInvariant();
            if (!Columns.Contains(name))
            {
                errors.Add($"line {header.Line}: unknown column '{header.Fields[i]}' (the columns are {string.Join(", ", Columns)})");
            }
            else if (!columns.TryAdd(name, i))
            {
                errors.Add($"line {header.Line}: column '{name}' appears twice");
            }
        }

        if (errors.Count == 0 && !columns.ContainsKey("plate"))
        {
            errors.Add($"line {header.Line}: the header has no 'plate' column (it reads like plate,region,reason,priority,valid_until)");
        }

        return columns;
    }

    private static WatchlistCsvRow? Row(Record record, Dictionary<string, int> columns, PlateRegion defaultRegion, List<string> errors)
    {
        var line = record.Line;
        string? Field(string name) => columns.TryGetValue(name, out var i) && record.Fields[i].Trim() is { Length: > 0 } value ? value : null;
        var before = errors.Count;
        void Error(string problem) => errors.Add($"line {line}: {problem}");

        var rawPlate = Field("plate");
        var rawRegion = Field("region");
        PlateRegion region = defaultRegion;
        if (rawRegion is not null && !PlateRegions.TryParse(rawRegion, out region))
        {
            Error($"region '{rawRegion}' is not one of ir, kz, ru, latin");
        }
        else if (rawRegion is null && rawPlate is not null && rawPlate.Any(c => PlateAlphabet.Fold(c) is { } f && PlateAlphabet.IsIranianLetter(f)))
        {
            region = PlateRegion.Ir;
        }

        PlateText? plate = null;
        if (rawPlate is null)
        {
            Error("the plate is empty");
        }
        else if (errors.Count == before)
        {
            if (!PlateText.TryParse(rawPlate, region, out var parsed, out var problem))
            {
                Error($"plate '{rawPlate}': {problem.TrimEnd('.')}");
            }
            else if (parsed.Format is null)
            {
                Error($"plate '{rawPlate}' ({parsed.Value}) fits no {region.Code()} plate format ({string.Join(", ", PlateGrammar.For(region).Formats.Select(f => f.Name).Take(4))})");
            }
            else
            {
                plate = parsed;
            }
        }

        var reason = Field("reason") ?? DefaultReason;
        if (reason.Length > WatchlistItem.MaxReasonLength)
        {
            Error($"the reason is {reason.Length} characters; at most {WatchlistItem.MaxReasonLength}");
        }

        var category = Field("category");
        if (category?.Length > WatchlistItem.MaxCategoryLength)
        {
            Error($"the category is {category.Length} characters; at most {WatchlistItem.MaxCategoryLength}");
        }

        var priority = WatchlistItem.DefaultPriority;
        if (Field("priority") is { } rawPriority &&
            (!int.TryParse(rawPriority, NumberStyles.None, CultureInfo.InvariantCulture, out priority) || priority is < WatchlistItem.MostUrgent or > WatchlistItem.LeastUrgent))
        {
            Error($"priority '{rawPriority}' is not a whole number from {WatchlistItem.MostUrgent} (most urgent) to {WatchlistItem.LeastUrgent}");
        }

        var validFrom = Time(Field("valid_from"), "valid_from", endOfDay: false, Error);
        var validUntil = Time(Field("valid_until"), "valid_until", endOfDay: true, Error);
        if (validFrom >= validUntil)
        {
            Error($"valid_from {validFrom:O} is not before valid_until {validUntil:O}");
        }

        var id = Field("id");
        if (id is not null && (id.Length > WatchlistItem.MaxIdLength || id.Any(char.IsControl)))
        {
            Error($"id '{id}' must be at most {WatchlistItem.MaxIdLength} characters without control characters");
        }

        return errors.Count == before ? new WatchlistCsvRow(line, id, plate!, reason, category, priority, validFrom, validUntil) : null;
    }

    /// <summary>
    /// A date (<c>2025-12-31</c>: valid_until means to the end of that day, UTC) or a time with its zone
    /// (<c>2025-12-31T18:00:00+03:30</c>, <c>...Z</c>). A time without a zone is refused: the box and the station may
    /// not share one.
    /// </summary>
    private static DateTimeOffset? Time(string? text, string column, bool endOfDay, Action<string> error)
    {
        if (text is null)
        {
            return null;
        }

        if (DateOnlyPattern().IsMatch(text) && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            var midnight = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return endOfDay ? midnight.AddDays(1) : midnight;
        }

        if (DateTimePattern().IsMatch(text) &&
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        error($"{column} '{text}' is not a date (2025-12-31) or a time with its zone (2025-12-31T18:00:00+03:30 or ...Z)");
        return null;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex DateOnlyPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex DateTimePattern();

    private sealed record Record(int Line, List<string> Fields);

    /// <summary>Splits RFC 4180 text into records, skipping blank lines; quoted fields may span lines.</summary>
    private static List<Record> Records(string text, List<string> errors)
    {
        var records = new List<Record>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var quoted = false;
        var wasQuoted = false;
        var afterQuote = false;

        void EndField()
        {
            fields.Add(wasQuoted ? field.ToString() : field.ToString().Trim());
            field.Clear();
            wasQuoted = false;
            afterQuote = false;
        }

        void EndRecord()
        {
            EndField();
            if (fields.Count > 1 || fields[0].Length > 0)
            {
                records.Add(new Record(recordLine, [.. fields]));
            }

            fields.Clear();
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                    afterQuote = true;
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case ',':
                    EndField();
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    break;
                case '\n' or '\r':
                    EndRecord();
                    line++;
                    recordLine = line;
                    break;
                case '"' when field.ToString().Trim().Length == 0 && !afterQuote:
                    field.Clear();
                    quoted = true;
                    wasQuoted = true;
                    break;
                default:
                    if (afterQuote && !char.IsWhiteSpace(c))
                    {
                        errors.Add($"line {line}: text after a closing quote (a quote inside a quoted field is written \"\")");
                        return records;
                    }

                    if (c == '"')
                    {
                        errors.Add($"line {line}: a quote inside an unquoted field (quote the whole field and write the quote as \"\")");
                        return records;
                    }

                    if (!afterQuote)
                    {
                        field.Append(c);
                    }

                    break;
            }
        }

        if (quoted)
        {
            errors.Add($"line {recordLine}: a quoted field is not closed");
            return records;
        }

        EndRecord();
        return records;
    }
}
