using k8s.Models;

namespace Navarch.ApiServer.Admission.ServiceAccount;

/// <summary>
/// kube-apiserver's <c>ServiceAccount</c> admission plugin (plugin/pkg/admission/serviceaccount). On pod create it
/// names the <c>default</c> account when the pod names none, copies the account's image pull secrets to a pod without
/// any, and, unless automounting is turned off (the pod's field wins over the account's), adds a projected
/// <c>kube-api-access-xxxxx</c> volume (token, cluster CA, namespace) mounted read-only at
/// <see cref="MountPath"/> in every container that mounts nothing there.
/// </summary>
/// <remarks>
/// Unlike upstream, a pod whose account does not exist is admitted (with only the account name defaulted) rather
/// than rejected: API servers run without the service-account controller in many setups and tests, and the kubelet
/// could not mount a token for a missing account anyway.
/// </remarks>
internal sealed class ServiceAccountAdmission(IServiceAccountLister accounts, Random random) : IMutatingAdmission
{
    public const string DefaultServiceAccountName = "default";

    /// <summary>Where the token, CA and namespace appear in containers (upstream's DefaultAPITokenMountPath).</summary>
    public const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>Prefix of the projected volume's name (upstream's ServiceAccountVolumeName plus the dash).</summary>
    public const string VolumePrefix = "kube-api-access-";

    /// <summary>The token's lifetime: a little over an hour, the value upstream uses so clients that forget to reread it can be spotted.</summary>
    public const long TokenExpirationSeconds = 3607;

    public const string MirrorPodAnnotation = "kubernetes.io/config.mirror";

    // kube-apiserver's generated-name alphabet: lowercase letters and digits without vowels or look-alikes.
    private const string NameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public string Name => "ServiceAccount";

    public async ValueTask AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (request.Operation != AdmissionOperation.Create || !request.IsMain("", "pods") || request.Object is not V1Pod pod)
        {
            return;
        }

        pod.Spec ??= new V1PodSpec();
        var spec = pod.Spec;
        if (pod.Metadata?.Annotations?.ContainsKey(MirrorPodAnnotation) == true)
        {
            // As upstream: a mirror pod's spec is never changed (the kubelet would see a different pod and delete it),
            // and it may not use what only the API server can grant.
            RejectMirrorPodReferences(request, spec);
            return;
        }

        if (string.IsNullOrEmpty(spec.ServiceAccountName))
        {
            spec.ServiceAccountName = string.IsNullOrEmpty(spec.ServiceAccount) ? DefaultServiceAccountName : spec.ServiceAccount;
        }

        spec.ServiceAccount = spec.ServiceAccountName;
        var ns = request.Namespace ?? pod.Metadata?.NamespaceProperty ?? "";
        var account = await accounts.GetAsync(ns, spec.ServiceAccountName, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return;
        }

        if (spec.AutomountServiceAccountToken ?? account.AutomountServiceAccountToken ?? true)
        {
            MountToken(spec);
        }

        if ((spec.ImagePullSecrets is null || spec.ImagePullSecrets.Count == 0) && account.ImagePullSecrets is { Count: > 0 } pullSecrets)
        {
            spec.ImagePullSecrets = [.. pullSecrets.Select(s => new V1LocalObjectReference { Name = s.Name })];
        }
    }

    /// <summary>The projected source kube-apiserver adds (upstream's TokenVolumeSource), with the default mode set explicitly as upstream does.</summary>
    public static V1ProjectedVolumeSource TokenVolumeSource() => new()
    {
        DefaultMode = 420,
        Sources =
        [
            new V1VolumeProjection
            {
                ServiceAccountToken = new V1ServiceAccountTokenProjection { ExpirationSeconds = TokenExpirationSeconds, Path = "token" },
            },
            new V1VolumeProjection
            {
                ConfigMap = new V1ConfigMapProjection { Name = "kube-root-ca.crt", Items = [new V1KeyToPath { Key = "ca.crt", Path = "ca.crt" }] },
            },
            new V1VolumeProjection
            {
                DownwardAPI = new V1DownwardAPIProjection
                {
                    Items = [new V1DownwardAPIVolumeFile { Path = "namespace", FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.namespace" } }],
                },
            },
        ],
    };

    private void MountToken(V1PodSpec spec)
    {
        // A pod that already has a kube-api-access volume (a copy of an admitted pod) keeps it; containers mount that one.
        string? volumeName = null;
        foreach (var volume in spec.Volumes ?? [])
        {
            if (volume.Name?.StartsWith(VolumePrefix, StringComparison.Ordinal) == true)
            {
                volumeName = volume.Name;
                break;
            }
        }

        var hasVolume = volumeName is not null;
        volumeName ??= GenerateVolumeName();
        var needsVolume = false;
        foreach (var container in spec.InitContainers ?? [])
        {
            container.VolumeMounts = AddMount(container.VolumeMounts, volumeName, ref needsVolume);
        }

        foreach (var container in spec.Containers ?? [])
        {
            container.VolumeMounts = AddMount(container.VolumeMounts, volumeName, ref needsVolume);
        }

        foreach (var container in spec.EphemeralContainers ?? [])
        {
            container.VolumeMounts = AddMount(container.VolumeMounts, volumeName, ref needsVolume);
        }

        if (!hasVolume && needsVolume)
        {
            spec.Volumes ??= new List<V1Volume>();
            spec.Volumes.Add(new V1Volume { Name = volumeName, Projected = TokenVolumeSource() });
        }
    }

    private static IList<V1VolumeMount> AddMount(IList<V1VolumeMount>? mounts, string volumeName, ref bool added)
    {
        mounts ??= new List<V1VolumeMount>();
        foreach (var mount in mounts)
        {
            // Whatever the pod mounts at the path itself stays; the token is not mounted over it.
            if (mount.MountPath == MountPath)
            {
                return mounts;
            }
        }

        mounts.Add(new V1VolumeMount { Name = volumeName, ReadOnlyProperty = true, MountPath = MountPath });
        added = true;
        return mounts;
    }

    private string GenerateVolumeName()
    {
        Span<char> suffix = stackalloc char[5];
        for (var i = 0; i < suffix.Length; i++)
        {
            suffix[i] = NameAlphabet[random.Next(NameAlphabet.Length)];
        }

        return VolumePrefix + new string(suffix);
    }

    private static void RejectMirrorPodReferences(AdmissionRequest request, V1PodSpec spec)
    {
        if (!string.IsNullOrEmpty(spec.ServiceAccountName) || !string.IsNullOrEmpty(spec.ServiceAccount))
        {
            throw request.Forbidden("a mirror pod may not reference service accounts");
        }

        if (ReferencesSecrets(spec))
        {
            throw request.Forbidden("a mirror pod may not reference secrets");
        }

        foreach (var volume in spec.Volumes ?? [])
        {
            if (volume.Projected?.Sources?.Any(s => s.ServiceAccountToken is not null) == true)
            {
                throw request.Forbidden("a mirror pod may not use ServiceAccountToken volume projections");
            }
        }
    }

    /// <summary>The common ways a pod names a Secret (upstream's VisitPodSecretNames covers a few more volume plugins too).</summary>
    private static bool ReferencesSecrets(V1PodSpec spec)
    {
        if (spec.ImagePullSecrets is { Count: > 0 })
        {
            return true;
        }

        foreach (var volume in spec.Volumes ?? [])
        {
            if (volume.Secret is not null || volume.Projected?.Sources?.Any(s => s.Secret is not null) == true)
            {
                return true;
            }
        }

        var env = (spec.InitContainers ?? []).Select(c => (c.Env, c.EnvFrom))
            .Concat((spec.Containers ?? []).Select(c => (c.Env, c.EnvFrom)))
            .Concat((spec.EphemeralContainers ?? []).Select(c => (c.Env, c.EnvFrom)));
        foreach (var (vars, sources) in env)
        {
            if ((vars ?? []).Any(v => v.ValueFrom?.SecretKeyRef is not null) || (sources ?? []).Any(s => s.SecretRef is not null))
            {
                return true;
            }
        }

        return false;
    }
}
