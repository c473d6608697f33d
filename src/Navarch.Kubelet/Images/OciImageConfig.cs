namespace Navarch.Kubelet.Images;

/// <summary>The runtime part of an OCI image configuration (the <c>config</c> object): what a container runs by default.</summary>
public sealed record OciImageConfig
{
    public IReadOnlyList<string> Entrypoint { get; init; } = [];

    public IReadOnlyList<string> Cmd { get; init; } = [];

    public IReadOnlyList<string> Env { get; init; } = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];

    public string WorkingDir { get; init; } = "/";
}
