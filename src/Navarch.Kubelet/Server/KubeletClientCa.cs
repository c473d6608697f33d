using k8s;

namespace Navarch.Kubelet.Server;

/// <summary>Where an agent finds the cluster CA for its kubelet API: the kubeconfig it got when it joined.</summary>
public static class KubeletClientCa
{
    /// <summary>The CA certificates of a kubeconfig's current cluster, PEM; null when it names none.</summary>
    public static string? FromKubeconfig(string kubeconfigPath)
    {
        var configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath);
        if (configuration.SslCaCerts is not { Count: > 0 } certificates) return null;
        return string.Concat(certificates.Select(certificate => certificate.ExportCertificatePem() + "\n"));
    }
}
