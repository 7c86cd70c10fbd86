namespace IronAspire.MockProvider.Simulation;

/// <summary>
/// Thrown by a drop-mid-stream fault once the bytes before the cut are written. Kestrel, seeing a request fail
/// after its response started, ends the HTTP/1.1 connection without the body's end (no last chunk, or fewer bytes
/// than the Content-Length) — but only after sending everything already written, then closing with a FIN. Aborting
/// the connection instead would discard what still sits in the transport's send pipe: how much the client got
/// would then depend on how fast the send loop ran, which on a loaded machine is sometimes nothing.
/// </summary>
public sealed class SimulatedConnectionDrop() : Exception("Injected fault: the connection is dropped mid-response (drop-mid-stream).");
