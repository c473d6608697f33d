using System.Globalization;
using k8s.Models;

namespace Navarch.ApiServer.Discovery;

/// <summary>
/// The Kubernetes version this server reports in <c>/version</c> and its OpenAPI documents. Stock kubectl reads
/// it to pick a client (the Cloud SDK's kubectl dispatcher chooses its binary by the server's minor version; a
/// <c>+navarch</c> build suffix is accepted there, as EKS/GKE suffixes are).
/// </summary>
public static class KubernetesVersion
{
    /// <summary>The one place the reported version is written; everything else is derived from it.</summary>
    public const string GitVersion = "v1.32.0+navarch";

    /// <summary>Major version, <c>1</c>.</summary>
    public static string Major => Parts.Major;

    /// <summary>Minor version, <c>32</c>.</summary>
    public static string Minor => Parts.Minor;

    private static readonly (string Major, string Minor) Parts = Parse(GitVersion);

    /// <summary>The <c>/version</c> document, as kube-apiserver's <c>version.Info</c>.</summary>
    public static VersionInfo Create() => new()
    {
        Major = Major,
        Minor = Minor,
        GitVersion = GitVersion,
        GitCommit = "0000000000000000000000000000000000000000",
        GitTreeState = "clean",
        BuildDate = "2024-12-11T00:00:00Z",
        GoVersion = "dotnet" + Environment.Version.ToString(3),
        Compiler = "roslyn",
        Platform = "linux/amd64",
    };

    private static (string Major, string Minor) Parse(string gitVersion)
    {
        // "v1.32.0+navarch" -> ("1", "32").
        var core = gitVersion.TrimStart('v').Split('+', '-')[0].Split('.');
        return (int.Parse(core[0], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
            int.Parse(core[1], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
    }
}
