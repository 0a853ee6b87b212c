using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// The MQTT transport's log messages (event ids 500-599). Written by the transport's supervising loop, never from an
/// MQTTnet event handler. A problem that repeats on every retry is logged once, and again only when it changes or
/// after the connection was up in between.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(500, LogLevel.Information, "MQTT: connecting to {Endpoint} as {ClientId} (TLS {Tls}, clean session {CleanSession}, MQTT {Protocol}, MQTTnet {Version})")]
    public static partial void Connecting(ILogger logger, string endpoint, string clientId, bool tls, bool cleanSession, MqttProtocolVersion protocol, string version);

    [LoggerMessage(501, LogLevel.Information, "MQTT: connected to {Endpoint} (session resumed: {SessionPresent})")]
    public static partial void Connected(ILogger logger, string endpoint, bool sessionPresent);

    [LoggerMessage(502, LogLevel.Warning, "MQTT: connection to {Endpoint} lost: {Reason}; reconnecting")]
    public static partial void ConnectionLost(ILogger logger, string endpoint, string reason);

    [LoggerMessage(503, LogLevel.Warning, "MQTT: cannot connect to {Endpoint}: {Reason}; retrying")]
    public static partial void CannotConnect(ILogger logger, string endpoint, string reason);

    [LoggerMessage(504, LogLevel.Error, "MQTT: {Endpoint} refused this box: {Reason}")]
    public static partial void Refused(ILogger logger, string endpoint, string reason);

    [LoggerMessage(506, LogLevel.Debug, "MQTT: connect attempt {Attempt} to {Endpoint}")]
    public static partial void Attempt(ILogger logger, string endpoint, long attempt);

    [LoggerMessage(508, LogLevel.Warning, "MQTT: {Dropped} received message(s) dropped so far: the reader is not keeping up with a queue of {Capacity}")]
    public static partial void MessagesDropped(ILogger logger, long dropped, int capacity);

    [LoggerMessage(509, LogLevel.Error, "MQTT: {Endpoint} refused the subscription to {Filter} (check the broker's ACL for this client)")]
    public static partial void SubscriptionRefused(ILogger logger, string endpoint, string filter);

    [LoggerMessage(510, LogLevel.Debug, "MQTT: subscribed to {Filter}")]
    public static partial void Subscribed(ILogger logger, string filter);

    [LoggerMessage(513, LogLevel.Information, "MQTT: disconnected from {Endpoint} ({Pending} publish(es) not acknowledged)")]
    public static partial void Stopped(ILogger logger, string endpoint, int pending);

    [LoggerMessage(515, LogLevel.Error, "MQTT: the supervising loop failed; carrying on")]
    public static partial void SupervisorFailed(ILogger logger, Exception exception);

    [LoggerMessage(516, LogLevel.Warning, "MQTT: cannot subscribe to {Filter}: {Reason}; trying again after the reconnect")]
    public static partial void SubscribeFailed(ILogger logger, string filter, string reason);

    [LoggerMessage(517, LogLevel.Warning, "MQTT: cannot announce online on {Topic}: {Reason}")]
    public static partial void AnnounceFailed(ILogger logger, string topic, string reason);
}
