using System.Security.Cryptography;
using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Tests.Support;
using EdgeAnpr.Agent.Watchlist;
using EdgeAnpr.Shared.Plates;
using EdgeAnpr.Shared.Watchlist;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAnpr.Agent.Tests.Watchlist;

public sealed class WatchlistRegistrationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-watchlist-host-").FullName;
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Without_mqtt_the_matcher_is_loaded_at_start_and_no_sync_is_registered()
    {
        await using var provider = Provider(("Storage:Directory", _directory));
        provider.GetRequiredService<WatchlistStore>().ImportLocal(
            [new WatchlistEntry("local-a", "ABC123", "latin", "seen", null, 1, null, null, WatchlistSource.Local)], replace: false, "local:tech", "test");

        var hosted = provider.GetServices<IHostedService>().ToArray();
        await Assert.Single(hosted).StartAsync(CancellationToken.None);

        Assert.IsType<WatchlistReloadService>(hosted[0]);
        Assert.Null(provider.GetService<WatchlistSync>());
        Assert.Equal("local-a", provider.GetRequiredService<WatchlistMatcher>().Match(PlateText.Parse("ABC123", PlateRegion.Latin))?.Entry.Id);
        await hosted[0].StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task With_mqtt_the_station_keys_are_read_and_the_sync_service_registered()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var file = Path.Combine(_directory, "station-public.pem");
        await File.WriteAllTextAsync(file, key.ExportSubjectPublicKeyInfoPem());

        await using var provider = Provider(
            ("Storage:Directory", Path.Combine(_directory, "state")), ("Mqtt:Host", "127.0.0.1"), ("Site:Id", "north"), ("Camera:Source", "/dev/video0"),
            ("Watchlist:StationKeyFiles:0", file));

        var sync = provider.GetRequiredService<WatchlistSync>();
        Assert.Equal([StationKey.IdOf(key)], sync.KeyIds);
        Assert.Equal("anpr/v1/north/watchlist/snapshot", sync.SnapshotTopic);
        Assert.Contains(provider.GetServices<IHostedService>(), s => s is WatchlistSyncService);
    }

    private ServiceProvider Provider(params (string Key, string Value)[] values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        new OptionsEntry<SiteOptions, SiteOptionsValidator>(SiteOptions.SectionName).Register(services, configuration);
        new OptionsEntry<CameraOptions, CameraOptionsValidator>(CameraOptions.SectionName).Register(services, configuration);
        new OptionsEntry<StorageOptions, StorageOptionsValidator>(StorageOptions.SectionName).Register(services, configuration);
        new OptionsEntry<MqttOptions, MqttOptionsValidator>(MqttOptions.SectionName).Register(services, configuration);
        new OptionsEntry<WatchlistOptions, WatchlistOptionsValidator>(WatchlistOptions.SectionName).Register(services, configuration);
        services.AddStorage();
        services.AddMqtt(configuration);
        services.AddWatchlist(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
