using EdgeAnpr.Shared.Plates;

namespace EdgeAnpr.Shared.Tests.Plates;

public sealed class PlateTextTests
{
    [Theory]
    [InlineData("ayo-9034", PlateRegion.Latin, "AYO9034")]
    [InlineData("Н002ЕХ71", PlateRegion.Ru, "H002EX71")] // Cyrillic input folds to Latin look-alikes
    [InlineData("530 BMW 16", PlateRegion.Kz, "530BMW16")]
    [InlineData("۸۱و۶۳۸۱۳", PlateRegion.Ir, "81و63813")] // Persian digits
    [InlineData("81 ي 63813", PlateRegion.Ir, "81ی63813")] // Arabic yeh folds to Persian yeh
    public void Input_folds_to_canonical_text(string input, PlateRegion region, string canonical)
    {
        Assert.Equal(canonical, PlateText.Parse(input, region).Value);
    }

    [Fact]
    public void Iranian_plates_display_in_persian_digits_with_the_region_after_iran()
    {
        Assert.Equal("۸۱ و ۶۳۸ ایران ۱۳", PlateText.Parse("81و63813", PlateRegion.Ir).Display);
    }

    [Fact]
    public void Latin_plates_display_as_canonical()
    {
        Assert.Equal("AYO9034", PlateText.Parse("AYO9034", PlateRegion.Latin).Display);
    }

    [Theory]
    [InlineData("81و63813", PlateRegion.Ir, "iran")]
    [InlineData("81♿63813", PlateRegion.Ir, "iran")]
    [InlineData("530BMW16", PlateRegion.Kz, "kz-2012")]
    [InlineData("238CM02", PlateRegion.Kz, "kz-2012-org")]
    [InlineData("H002EX71", PlateRegion.Ru, "ru")]
    [InlineData("T786YT777", PlateRegion.Ru, "ru-3")]
    [InlineData("AYO9034", PlateRegion.Latin, "latin-7")]
    public void Texts_match_their_region_format(string text, PlateRegion region, string format)
    {
        Assert.Equal(format, PlateText.Parse(text, region).Format?.Name);
    }

    [Theory]
    [InlineData("8و163813", PlateRegion.Ir)] // letter in the wrong place
    [InlineData("W002EX71", PlateRegion.Ru)] // W is not a Cyrillic look-alike
    [InlineData("53BMW16", PlateRegion.Kz)]
    public void Texts_outside_the_grammar_have_no_format(string text, PlateRegion region)
    {
        Assert.Null(PlateText.Parse(text, region).Format);
    }

    [Theory]
    [InlineData("AB#12", PlateRegion.Latin, "'#'")]
    [InlineData("", PlateRegion.Latin, "empty")]
    [InlineData("8163813", PlateRegion.Ir, "no Persian letter")]
    [InlineData("81و63813", PlateRegion.Latin, "Persian letter")]
    public void Bad_text_is_refused_with_the_reason(string text, PlateRegion region, string reason)
    {
        var ex = Assert.Throws<FormatException>(() => PlateText.Parse(text, region));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }
}
