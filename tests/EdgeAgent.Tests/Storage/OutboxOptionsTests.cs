using EdgeAnpr.Agent.Storage;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Tests.Storage;

public sealed class OutboxOptionsTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        var options = new OutboxOptions();

        Assert.True(new OutboxOptionsValidator().Validate(Options.DefaultName, options).Succeeded);
        Assert.Equal(OutboxOptions.DefaultMaxItems, options.MaxItems);
        Assert.Equal(512L * 1024 * 1024, options.MaxBytes);
        Assert.Equal(TimeSpan.FromDays(30), options.MaxAge);
    }

    [Theory]
    [InlineData(0, 1024 * 1024, 1)]
    [InlineData(10, 10, 1)]
    [InlineData(10, 1024 * 1024, 0)]
    public void Bounds_out_of_range_are_named(int maxItems, long maxBytes, int maxAgeDays)
    {
        var options = new OutboxOptions { MaxItems = maxItems, MaxBytes = maxBytes, MaxAge = TimeSpan.FromDays(maxAgeDays) };

        var result = new OutboxOptionsValidator().Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        Assert.Single(result.Failures!);
    }
}
