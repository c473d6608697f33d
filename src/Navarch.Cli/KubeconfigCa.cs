using System.Text;
using k8s;

namespace Navarch.Cli;

/// <summary>
/// The certificate authority a kubeconfig trusts for its current context, as PEM: kube-controller-manager publishes
/// its client config's CA data when --root-ca-file is not given.
/// </summary>
internal static class KubeconfigCa
{
    /// <summary>The CA PEM of <paramref name="kubeconfig"/>'s cluster, or null when it names none (then nothing is published).</summary>
    public static string? Read(string kubeconfig)
    {
        KubernetesClientConfiguration config;
        try
        {
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(Path.GetFullPath(kubeconfig));
        }
        catch (k8s.Exceptions.KubeConfigException e)
        {
            throw new ArgumentException($"--kubeconfig {kubeconfig}: {e.Message}", e);
        }

        if (config.SslCaCerts is not { Count: > 0 } certificates)
        {
            return null;
        }

        var pem = new StringBuilder();
        foreach (var certificate in certificates)
        {
            pem.Append(certificate.ExportCertificatePem()).Append('\n');
        }

        return pem.ToString();
    }
}
