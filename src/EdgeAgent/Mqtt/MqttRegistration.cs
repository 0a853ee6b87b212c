using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Shared.Topics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Mqtt;

internal static class MqttRegistration
{
    /// <summary>
    /// Adds the MQTT transport (MQTTnet) and the service that owns its connection, when <c>Mqtt:Host</c> is
    /// set; with MQTT off nothing is registered, so consumers ask for <see cref="MqttTransport"/> with
    /// <c>GetService</c>. The client id defaults to the site and camera, the will is retained <c>offline</c> on
    /// <see cref="AnprTopics.Status"/>. Needs the options of <see cref="OptionsCatalog"/> and a <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddMqtt(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration[$"{MqttOptions.SectionName}:{nameof(MqttOptions.Host)}"]))
        {
            return services;
        }

        services.AddSingleton(sp =>
        {
            var site = sp.GetRequiredService<IOptions<SiteOptions>>().Value.Id;
            var camera = sp.GetRequiredService<IOptions<CameraOptions>>().Value.Id;
            return MqttWill.Offline(AnprTopics.Status(site, camera));
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MqttOptions>>().Value;
            var clientId = options.ClientIdFor(sp.GetRequiredService<IOptions<SiteOptions>>().Value.Id, sp.GetRequiredService<IOptions<CameraOptions>>().Value.Id);
            return MqttTransport.Create(
                options, clientId, sp.GetRequiredService<MqttWill>(), sp.GetRequiredService<ILogger<MqttTransport>>(), sp.GetRequiredService<TimeProvider>());
        });
        services.AddHostedService<MqttConnectionService>();
        return services;
    }
}
