// The face step of Signet (issue 4): starts the camera, guides the person through a straight look
// and the requested head turn, captures a few frames as the camera took them (not mirrored like
// the preview) and posts them with the page's form. Served from /assets under CSP script-src 'self'.

(() => {
  const root = document.getElementById('face');
  const form = document.getElementById('face-form');
  const start = document.getElementById('face-start');
  const video = document.getElementById('face-preview');
  const guidance = document.getElementById('face-guidance');
  if (!root || !form || !start || !video || !guidance) return;
  const frames = Math.min(10, Math.max(3, Number(root.dataset.frames) || 5));
  const say = (text) => {
    guidance.textContent = text || '';
  };
  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** One frame of the live video as a JPEG, at most 640 px on its longer side. */
  function grab() {
    const width = video.videoWidth;
    const height = video.videoHeight;
    const scale = Math.min(1, 640 / Math.max(width, height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('no frame'))), 'image/jpeg', 0.85),
    );
  }

  function base64(blob) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    });
  }

  async function run() {
    start.disabled = true;
    if (!navigator.mediaDevices?.getUserMedia) throw new Error('no camera');
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: 'user', width: { ideal: 640 }, height: { ideal: 480 } },
    });
    try {
      video.srcObject = stream;
      video.hidden = false;
      await video.play().catch(() => {});
      if (video.readyState < 2)
        await new Promise((resolve) => video.addEventListener('loadeddata', resolve, { once: true }));
      say(root.dataset.msgLook);
      await wait(1500);
      const shots = [await grab()];
      say(root.dataset.msgTurn);
      await wait(800);
      for (let i = 1; i < frames; i++) {
        shots.push(await grab());
        await wait(400);
      }
      say(root.dataset.msgSending);
      for (const shot of shots) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = 'frame';
        input.value = await base64(shot);
        form.append(input);
      }
    } finally {
      for (const track of stream.getTracks()) track.stop();
    }
    form.submit();
  }

  start.addEventListener('click', () => {
    run().catch(() => {
      say(root.dataset.msgBlocked);
      video.hidden = true;
      start.disabled = false;
    });
  });
})();
