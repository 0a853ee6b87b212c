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

/// <summary>
/// Checks the broker's certificate against <see cref="MqttOptions.CaFile"/> (or the system's CAs) and its name against
/// <see cref="MqttOptions.Host"/>, and keeps why it refused one: the TLS stack reports no more than "rejected".
/// </summary>
internal sealed class BrokerCertificateCheck(X509Certificate2Collection? authorities)
{
    private string? _problem;

    /// <summary>Why the last certificate was refused; null when it was accepted or none was checked yet.</summary>
    public string? Problem => Volatile.Read(ref _problem);

    /// <summary>Forgets the last verdict, before a new connect attempt.</summary>
    public void Reset() => Volatile.Write(ref _problem, null);

    public bool Validate(MqttClientCertificateValidationEventArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return Validate(args.Certificate, args.Chain, args.SslPolicyErrors);
    }

    /// <summary>The same check, as an <see cref="RemoteCertificateValidationCallback"/> takes it.</summary>
    public bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var problem = Check(certificate, chain, errors);
        Volatile.Write(ref _problem, problem);
        return problem is null;
    }

    private string? Check(X509Certificate? presented, X509Chain? presentedChain, SslPolicyErrors errors)
    {
        if (presented is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "the broker sent no certificate";
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return "the certificate does not name the host";
        }

        if (authorities is null)
        {
            return errors == SslPolicyErrors.None ? null : Describe(presentedChain) ?? errors.ToString();
        }

        // MQTT brokers are usually signed by a private CA: trust exactly the CAs in Mqtt:CaFile, not the system's.
        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presentedChain is not null)
        {
            foreach (var element in presentedChain.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        var trusted = chain.Build(certificate);
        var problem = trusted ? null : Describe(chain) ?? "the chain does not lead to a CA in Mqtt:CaFile";
        foreach (var element in chain.ChainElements)
        {
            element.Certificate.Dispose();
        }

        return problem;
    }

    private static string? Describe(X509Chain? chain) =>
        chain is null || chain.ChainStatus.Length == 0
            ? null
            : string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation.Trim().TrimEnd('.')).Where(s => s.Length > 0).Distinct());
}

/// <summary>
/// Finds out why a TLS broker closed a connection during connect. Under TLS 1.3 the broker checks this box's client
/// certificate after the handshake has completed on this side; MQTTnet has sent its CONNECT by then, so the broker's
/// alert is often lost to the reset that follows, leaving only "connection reset". A second handshake that sends
/// nothing after it reads the alert itself.
/// </summary>
internal static class TlsProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>The broker's TLS alert, as its exception text; null when the broker kept the connection open (it accepted the certificate) or none came.</summary>
    public static async Task<string?> ReadAlertAsync(MqttOptions options, BrokerCertificateCheck check, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(check);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var timeout = new CancellationTokenSource(Timeout, time);
        using var _ = timeout.Token.Register(deadline.Cancel);
        using var client = new System.Net.Sockets.TcpClient();
        X509Certificate2? certificate = null;
        try
        {
            await client.ConnectAsync(options.Host, options.Port, deadline.Token);
            certificate = string.IsNullOrEmpty(options.CertFile) || string.IsNullOrEmpty(options.KeyFile)
                ? null
                : X509Certificate2.CreateFromPemFile(options.CertFile, options.KeyFile);
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = options.Host,
                    ClientCertificates = certificate is null ? null : [certificate],
                    RemoteCertificateValidationCallback = (_, presented, chain, errors) => check.Validate(presented, chain, errors),
                },
                deadline.Token);
            // The broker sends nothing before CONNECT: whatever ends this read is its verdict on the certificate.
            await tls.ReadAtLeastAsync(new byte[1], 1, throwOnEndOfStream: false, deadline.Token);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or System.Net.Sockets.SocketException or CryptographicException)
        {
            var text = new List<string>();
            for (Exception? current = ex; current is not null; current = current.InnerException)
            {
                text.Add(current.Message);
            }

            return string.Join('\n', text);
        }
        finally
        {
            certificate?.Dispose();
        }
    }
}
