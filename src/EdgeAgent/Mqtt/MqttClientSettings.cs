using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Protocol;
using LibraryProtocol = MQTTnet.Formatter.MqttProtocolVersion;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// Turns <see cref="MqttOptions"/> into MQTTnet's client options: endpoint, client id, session, keep-alive, protocol
/// version, credentials, last will and TLS. The files named in the options are read here, once, so a wrong or
/// unreadable file fails at start-up with its key named (and a fixed file is picked up on the next start).
/// </summary>
internal static class MqttClientSettings
{
    /// <summary>How long one connect attempt may take, TCP and TLS handshake and CONNACK included.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <exception cref="MqttException">A file named in the options cannot be read or is not what it should be.</exception>
    public static MqttClientOptions Build(MqttOptions options, string clientId, MqttWill? will, BrokerCertificateCheck? certificateCheck)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(options.Host, options.Port)
            .WithClientId(clientId)
            .WithCleanSession(options.CleanSession)
            .WithKeepAlivePeriod(options.KeepAlive)
            .WithTimeout(ConnectTimeout)
            .WithProtocolVersion(options.ProtocolVersion switch
            {
                MqttProtocolVersion.V31 => LibraryProtocol.V310,
                MqttProtocolVersion.V5 => LibraryProtocol.V500,
                _ => LibraryProtocol.V311,
            });
        if (options.ProtocolVersion == MqttProtocolVersion.V5 && !options.CleanSession)
        {
            // MQTT 5 section 3.1.2.11.2: without a session expiry interval the broker ends the session at disconnect.
            builder.WithSessionExpiryInterval(uint.MaxValue);
        }

        if (!string.IsNullOrEmpty(options.UserName))
        {
            builder.WithCredentials(options.UserName, options.ReadPassword());
        }

        if (will is not null)
        {
            builder
                .WithWillTopic(will.Topic)
                .WithWillPayload(will.Payload.ToArray())
                .WithWillQualityOfServiceLevel((MqttQualityOfServiceLevel)will.Qos)
                .WithWillRetain(will.Retain);
        }

        if (options.UsesTls)
        {
            var clientCertificate = LoadClientCertificate(options);
            builder.WithTlsOptions(tls =>
            {
                tls.UseTls().WithTargetHost(options.Host);
                if (certificateCheck is not null)
                {
                    tls.WithCertificateValidationHandler(certificateCheck.Validate);
                }

                if (clientCertificate is not null)
                {
                    tls.WithClientCertificates([clientCertificate]);
                }
            });
        }

        return builder.Build();
    }

    /// <summary>The CA certificates of <see cref="MqttOptions.CaFile"/>, or null to trust the system's CAs.</summary>
    /// <exception cref="MqttException">The file cannot be read or holds no PEM certificate.</exception>
    public static X509Certificate2Collection? LoadAuthorities(MqttOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.CaFile))
        {
            return null;
        }

        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(options.CaFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new MqttException($"Mqtt:CaFile '{options.CaFile}' cannot be read: {ex.Message.TrimEnd('.')} (can the service user read it?)", ex);
        }

        return authorities.Count > 0
            ? authorities
            : throw new MqttException($"Mqtt:CaFile '{options.CaFile}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
    }

    private static X509Certificate2? LoadClientCertificate(MqttOptions options)
    {
        if (string.IsNullOrEmpty(options.CertFile) || string.IsNullOrEmpty(options.KeyFile))
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(options.CertFile, options.KeyFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MqttException($"Mqtt:CertFile or Mqtt:KeyFile cannot be read: {ex.Message.TrimEnd('.')} (can the service user read them?)", ex);
        }
        catch (CryptographicException ex)
        {
            throw new MqttException(
                $"Mqtt:CertFile '{options.CertFile}' with Mqtt:KeyFile '{options.KeyFile}' cannot be used: {ex.Message.TrimEnd('.')} " +
                "(both must be PEM, the key not encrypted, and the key must be the certificate's own)",
                ex);
        }
    }
}
