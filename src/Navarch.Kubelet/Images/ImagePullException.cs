namespace Navarch.Kubelet.Images;

/// <summary>A container's image is not there and could not be pulled; <see cref="Reason"/> is the kubelet's waiting reason.</summary>
public sealed class ImagePullException(string reason, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>ErrImagePull, ImagePullBackOff, ErrImageNeverPull, InvalidImageName or ImageInspectError (see <see cref="ImagePullReasons"/>).</summary>
    public string Reason { get; } = reason;
}
