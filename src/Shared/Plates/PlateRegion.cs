namespace EdgeAnpr.Shared.Plates;

/// <summary>The plate families a reader is configured for. Names are the lower-case codes used in configuration and events.</summary>
public enum PlateRegion
{
    /// <summary>Iran: two digits, a Persian letter, three digits, a two-digit region code.</summary>
    Ir,

    /// <summary>Kazakhstan: current 3 digits + 3 letters + 2-digit region, and the older formats.</summary>
    Kz,

    /// <summary>Russia: letter, three digits, two letters, 2-3 digit region.</summary>
    Ru,

    /// <summary>Any other plate of Latin letters and digits.</summary>
    Latin,
}

public static class PlateRegions
{
    /// <summary>The configuration/event code of a region: <c>ir</c>, <c>kz</c>, <c>ru</c>, <c>latin</c>.</summary>
    public static string Code(this PlateRegion region) => region switch
    {
        PlateRegion.Ir => "ir",
        PlateRegion.Kz => "kz",
        PlateRegion.Ru => "ru",
        PlateRegion.Latin => "latin",
        _ => throw new ArgumentOutOfRangeException(nameof(region), region, "Unknown plate region."),
    };

    public static bool TryParse(string? code, out PlateRegion region)
    {
        switch (code?.Trim().ToUpperInvariant())
        {
            case "IR": region = PlateRegion.Ir; return true;
            case "KZ": region = PlateRegion.Kz; return true;
            case "RU": region = PlateRegion.Ru; return true;
            case "LATIN": region = PlateRegion.Latin; return true;
            default: region = default; return false;
        }
    }

    /// <summary>Parses a region code, or throws an error that lists the accepted codes.</summary>
    public static PlateRegion Parse(string code) =>
        TryParse(code, out var region) ? region : throw new FormatException($"Unknown plate region '{code}': use ir, kz, ru or latin.");
}
