using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace EdgeAnpr.Agent.Mqtt;

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
