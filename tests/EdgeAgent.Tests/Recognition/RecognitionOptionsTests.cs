using EdgeAnpr.Agent.Recognition;
using EdgeAnpr.Shared.Plates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Tests.Recognition;

public sealed class RecognitionOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_read_iranian_plates_with_the_shipped_models()
    {
        var options = new RecognitionOptions();

        Assert.True(new RecognitionOptionsValidator().Validate(Options.DefaultName, options).Succeeded);
        Assert.Equal([PlateRegion.Ir], options.ResolvedRegions());
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "models", "plate-reader-ir.onnx"), options.ResolvedIranModelPath);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "models", "plate-reader-latin.onnx"), options.ResolvedLatinModelPath);
        Assert.Null(options.MinConfidence);
        Assert.Equal(RecognitionOptions.DefaultIranMinConfidence, options.MinConfidenceFor(PlateRegion.Ir));
        Assert.Equal(RecognitionOptions.DefaultLatinMinConfidence, options.MinConfidenceFor(PlateRegion.Kz));
        Assert.Equal(4.6, options.GrammarMargin);
    }

    [Fact]
    public void Configured_regions_replace_the_default_in_their_order()
    {
        var options = Bind(("Recognition:Regions:0", "kz"), ("Recognition:Regions:1", "RU"), ("Recognition:Regions:2", "kz"));

        Assert.Equal(["kz", "RU", "kz"], options.Regions);
        Assert.Equal([PlateRegion.Kz, PlateRegion.Ru], options.ResolvedRegions());
    }

    [Fact]
    public void Site_latin_formats_constrain_the_latin_region_only_and_a_bad_one_is_named_with_its_key()
    {
        var options = Bind(("Recognition:LatinFormats:0", "LLLDDDD"), ("Recognition:LatinFormats:1", "LLLDLDD"));

        Assert.True(new RecognitionOptionsValidator().Validate(Options.DefaultName, options).Succeeded);
        Assert.Equal(["LLLDDDD", "LLLDLDD"], options.GrammarFor(PlateRegion.Latin).Formats.Select(f => f.Name));
        Assert.Same(PlateGrammar.Russia, options.GrammarFor(PlateRegion.Ru));
        Assert.Same(PlateGrammar.Latin, new RecognitionOptions().GrammarFor(PlateRegion.Latin));

        var bad = new RecognitionOptionsValidator().Validate(Options.DefaultName, Bind(("Recognition:LatinFormats:0", "LL-DDD")));
        Assert.Contains("Recognition:LatinFormats:0 is 'LL-DDD'", bad.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_stands_for_every_region()
    {
        var options = Bind(("Recognition:Regions:0", "ru"), ("Recognition:Regions:1", "auto"));

        Assert.Equal([PlateRegion.Ru, PlateRegion.Ir, PlateRegion.Kz, PlateRegion.Latin], options.ResolvedRegions());
    }

    [Fact]
    public void An_absolute_model_path_is_kept()
    {
        var options = Bind(("Recognition:LatinModelPath", "/opt/models/reader.onnx"));

        Assert.Equal("/opt/models/reader.onnx", options.ResolvedLatinModelPath);
    }

    [Fact]
    public void An_unknown_region_code_is_named_with_its_key()
    {
        var options = Bind(("Recognition:Regions:0", "ir"), ("Recognition:Regions:1", "de"));

        var result = new RecognitionOptionsValidator().Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        Assert.Contains("Recognition:Regions:1 is 'de'; use ir, kz, ru, latin or auto.", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MinConfidence", "1.5")]
    [InlineData("MinConfidence", "-0.1")]
    [InlineData("GrammarMargin", "-1")]
    [InlineData("IranModelPath", "")]
    public void Values_out_of_range_are_named(string key, string value)
    {
        var options = Bind(($"Recognition:{key}", value));

        var result = new RecognitionOptionsValidator().Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_key_stops_binding()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Recognition:Region:0", "kz")]).Build();

        var error = Assert.Throws<InvalidOperationException>(
            () => configuration.GetSection(RecognitionOptions.SectionName).Bind(new RecognitionOptions(), o => o.ErrorOnUnknownConfiguration = true));

        Assert.Contains("'Region'", error.Message, StringComparison.Ordinal);
    }

    private static RecognitionOptions Bind(params (string Key, string Value)[] values)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();
        var options = new RecognitionOptions();
        configuration.GetSection(RecognitionOptions.SectionName).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
        return options;
    }
}
