using System.Diagnostics;
using Grpc.Core;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Client.Events;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Cri.V1;
using Navarch.Kubelet.Pods;

namespace Navarch.Kubelet.Images;

/// <summary>
/// Makes a container's image present on the node as its imagePullPolicy says, with the pod's imagePullSecrets, as the
/// kubelet's image manager does: the same waiting reasons, messages, events and per-image back-off (10 s doubling to 5 min).
/// One puller is shared by all pod workers of a node.
/// </summary>
public sealed class ImagePuller(CriClient cri, IKubernetes? client, TimeProvider time, IEventRecorder? events = null, ILogger? logger = null)
{
    public const string PullAlways = "Always";
    public const string PullIfNotPresent = "IfNotPresent";
    public const string PullNever = "Never";

    private readonly ImagePullBackOff _backOff = new(time);
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>The policy the API server defaults an unset imagePullPolicy to: Always for <c>:latest</c> (or no tag), else IfNotPresent.</summary>
    public static string DefaultPullPolicy(ImageReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return reference.Tag == ImageReference.DefaultTag ? PullAlways : PullIfNotPresent;
    }

    /// <summary>Returns the runtime's reference to the image (its ID).</summary>
    /// <exception cref="ImagePullException">The image is missing and may not, or could not, be pulled.</exception>
    public async Task<string> EnsureImageAsync(V1Pod pod, V1Container container, PodSandboxConfig sandboxConfig, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        var written = container.Image ?? string.Empty;
        if (!ImageReference.TryParse(written, out var reference, out var error))
        {
            var message = $"Failed to apply default image tag \"{written}\": couldn't parse image name \"{written}\": {error}";
            Record(pod, container, EventTypes.Warning, "InspectFailed", message);
            throw new ImagePullException(ImagePullReasons.InvalidImageName, message);
        }

        var image = ImageReference.WithDefaultTag(written, reference);
        var policy = string.IsNullOrEmpty(container.ImagePullPolicy) ? DefaultPullPolicy(reference) : container.ImagePullPolicy;
        Image? present;
        try
        {
            present = await cri.ImageStatusAsync(image, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            var message = $"Failed to inspect image \"{written}\": rpc error: code = {e.StatusCode} desc = {e.Status.Detail}";
            Record(pod, container, EventTypes.Warning, "InspectFailed", message);
            throw new ImagePullException(ImagePullReasons.ImageInspectError, message, e);
        }

        if (present is not null && policy != PullAlways)
        {
            Record(pod, container, EventTypes.Normal, "Pulled", $"Container image \"{written}\" already present on machine");
            return present.Id;
        }

        if (policy == PullNever)
        {
            var message = $"Container image \"{written}\" is not present with pull policy of Never";
            Record(pod, container, EventTypes.Warning, ImagePullReasons.ErrImageNeverPull, message);
            throw new ImagePullException(ImagePullReasons.ErrImageNeverPull, message);
        }

        // As the kubelet: the back-off is per pod and image, so one pod's bad tag does not hold back another's.
        var backOffKey = pod.Uid() + "_" + written;
        if (_backOff.InBackOff(backOffKey) is { } previous)
        {
            var message = $"Back-off pulling image \"{written}\"";
            Record(pod, container, EventTypes.Normal, "BackOff", message);
            throw new ImagePullException(ImagePullReasons.ImagePullBackOff, $"{message}: {previous}");
        }

        Record(pod, container, EventTypes.Normal, "Pulling", $"Pulling image \"{written}\"");
        var credentials = await CredentialsAsync(pod, cancellationToken).ConfigureAwait(false);
        var started = time.GetTimestamp();
        string imageRef;
        try
        {
            imageRef = await PullAsync(image, credentials.For(reference), sandboxConfig, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            var message = $"Failed to pull image \"{written}\": rpc error: code = {e.StatusCode} desc = {e.Status.Detail}";
            Record(pod, container, EventTypes.Warning, "Failed", message);
            _backOff.Failed(backOffKey, message);
            throw new ImagePullException(ImagePullReasons.ErrImagePull, message, e);
        }

        var elapsed = PullDuration.FormatMilliseconds(time.GetElapsedTime(started));
        _backOff.Succeeded(backOffKey);
        var size = await SizeAsync(imageRef, cancellationToken).ConfigureAwait(false);
        Record(pod, container, EventTypes.Normal, "Pulled",
            $"Successfully pulled image \"{written}\" in {elapsed} ({elapsed} including waiting). Image size: {size} bytes.");
        return imageRef;
    }

    /// <summary>The pulled image's size for the Pulled event; the pull itself succeeded, so a failed lookup only costs the number.</summary>
    private async Task<ulong> SizeAsync(string imageRef, CancellationToken cancellationToken)
    {
        try
        {
            return (await cri.ImageStatusAsync(imageRef, cancellationToken).ConfigureAwait(false))?.Size ?? 0;
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            ImagePullLog.SizeUnknown(_logger, imageRef, e);
            return 0;
        }
    }

    /// <summary>Anonymous when no secret applies; otherwise each matching credential in turn until one works, as the kubelet tries them.</summary>
    private async Task<string> PullAsync(string image, IReadOnlyList<AuthConfig> auths, PodSandboxConfig sandboxConfig, CancellationToken cancellationToken)
    {
        if (auths.Count == 0)
        {
            return await cri.PullImageAsync(image, null, sandboxConfig, cancellationToken).ConfigureAwait(false);
        }

        RpcException? last = null;
        foreach (var auth in auths)
        {
            try
            {
                return await cri.PullImageAsync(image, auth, sandboxConfig, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                last = e;
            }
        }

        // The loop ran at least once and every attempt failed.
        throw last!;
    }

    private async Task<RegistryCredentials> CredentialsAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        var credentials = new RegistryCredentials();
        if (client is null || pod.Spec?.ImagePullSecrets is not { Count: > 0 } secrets)
        {
            return credentials;
        }

        foreach (var name in secrets.Select(secret => secret.Name).Where(name => !string.IsNullOrEmpty(name)))
        {
            try
            {
                var secret = await client.CoreV1.ReadNamespacedSecretAsync(name, pod.Namespace(), cancellationToken: cancellationToken).ConfigureAwait(false);
                credentials.Add(secret);
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException)
            {
                // As the kubelet: a missing pull secret is reported and the pull is still tried with what there is.
                ImagePullLog.SecretUnavailable(_logger, pod.Namespace(), name, pod.Namespace(), pod.Name(), e);
                Record(pod, null, EventTypes.Warning, "FailedToRetrieveImagePullSecret",
                    $"Unable to retrieve some image pull secrets ({name}); attempting to pull the image may not succeed.");
            }
        }

        return credentials;
    }

    private void Record(V1Pod pod, V1Container? container, string type, string reason, string message)
    {
        if (container is null)
        {
            events?.Event(pod, type, reason, message);
        }
        else
        {
            events?.Event(pod, ContainerFieldPath.Of(pod, container.Name), type, reason, message);
        }

        ImagePullLog.Event(_logger, pod.Namespace(), pod.Name(), reason, message);
    }
}
