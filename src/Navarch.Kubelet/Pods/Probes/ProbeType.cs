namespace Navarch.Kubelet.Pods.Probes;

/// <summary>The three probes of a container, named as the kubelet names them in events ("Liveness probe failed: ...").</summary>
public enum ProbeType
{
    Liveness,
    Readiness,
    Startup,
}
