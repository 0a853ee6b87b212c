using EdgeAnpr.Agent.Delivery;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Tests.Delivery;

public sealed class DeliveryOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_keep_reads_on_the_box()
    {
        var options = new DeliveryOptions();

        Assert.True(new DeliveryOptionsValidator().Validate(Options.DefaultName, options).Succeeded);
        Assert.Equal(TimeSpan.FromSeconds(30), options.HeartbeatInterval);
        Assert.Equal(100, options.MaxInFlight);
        Assert.False(options.PublishReads);
        Assert.Equal(TimeSpan.FromHours(24), options.ReadRetention);
        Assert.Equal(TimeSpan.FromSeconds(30), options.DrainTimeout);
        Assert.Equal(75, options.ImageQuality);
    }

    [Theory]
    [InlineData(nameof(DeliveryOptions.HeartbeatInterval))]
    [InlineData(nameof(DeliveryOptions.MaxInFlight))]
    [InlineData(nameof(DeliveryOptions.ReadRetention))]
    [InlineData(nameof(DeliveryOptions.DrainTimeout))]
    [InlineData(nameof(DeliveryOptions.ImageQuality))]
    public void A_value_out_of_range_is_named(string key)
    {
        var options = key switch
        {
            nameof(DeliveryOptions.HeartbeatInterval) => new DeliveryOptions { HeartbeatInterval = TimeSpan.Zero },
            nameof(DeliveryOptions.MaxInFlight) => new DeliveryOptions { MaxInFlight = 0 },
            nameof(DeliveryOptions.ReadRetention) => new DeliveryOptions { ReadRetention = TimeSpan.FromDays(31) },
            nameof(DeliveryOptions.DrainTimeout) => new DeliveryOptions { DrainTimeout = TimeSpan.FromSeconds(-1) },
            _ => new DeliveryOptions { ImageQuality = 100 },
        };

        var result = new DeliveryOptionsValidator().Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        Assert.Contains(key, Assert.Single(result.Failures!), StringComparison.Ordinal);
    }
}
