// The face step of Signet (issues 4 and 10): starts the camera, asks the person for a straight
// look and then for each movement of the server's challenge in turn, captures frames on the
// page's schedule as the camera took them (not mirrored like the preview), each with its time in
// ms from the start of the capture, and posts them all in one form. Served from /assets under CSP
// script-src 'self'.

(() => {
  const root = document.getElementById('face');
  const form = document.getElementById('face-form');
  const start = document.getElementById('face-start');
  const video = document.getElementById('face-preview');
  const guidance = document.getElementById('face-guidance');
  const steps = [...document.querySelectorAll('#face-steps li')];
  if (!root || !form || !start || !video || !guidance || steps.length === 0) return;
  const number = (value, fallback) => (Number.isFinite(Number(value)) && Number(value) > 0 ? Number(value) : fallback);
  const neutralMs = number(root.dataset.neutralMs, 1200);
  const actionMs = number(root.dataset.actionMs, 2000);
  const neutralFrames = Math.min(4, number(root.dataset.neutralFrames, 2));
  const actionFrames = Math.min(6, number(root.dataset.actionFrames, 4));
  const say = (text) => {
    guidance.textContent = text || '';
  };
  const mark = (current) => {
    steps.forEach((step, i) => {
      if (i === current) step.setAttribute('aria-current', 'step');
      else step.removeAttribute('aria-current');
    });
  };

  /** Draws the live video now (its time is `at`) and encodes it as a JPEG of at most 640 px. */
  function grab(t0) {
    const width = video.videoWidth;
    const height = video.videoHeight;
    const scale = Math.min(1, 640 / Math.max(width, height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
    const at = Math.round(performance.now() - t0);
    const blob = new Promise((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('no frame'))), 'image/jpeg', 0.85),
    );
    return { at, blob };
  }

  function base64(blob) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    });
  }

  /** Waits until `ms` after `t0`. */
  const until = (t0, ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, t0 + ms - performance.now())));

  /** The capture times: spread over the neutral window, then over each action's window after a moment to react. */
  function schedule() {
    const times = [];
    for (let k = 0; k < neutralFrames; k++) times.push(Math.round((neutralMs * (k + 0.5)) / neutralFrames));
    const react = Math.min(500, actionMs / 4);
    const spread = (actionMs - react - 150) / actionFrames;
    for (let i = 0; i < steps.length; i++) {
      for (let k = 0; k < actionFrames; k++)
        times.push({ step: i, at: Math.round(neutralMs + i * actionMs + react + k * spread) });
    }
    return times;
  }

  async function run() {
    start.disabled = true;
    if (!navigator.mediaDevices?.getUserMedia) throw new Error('no camera');
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: 'user', width: { ideal: 640 }, height: { ideal: 480 } },
    });
    const shots = [];
    try {
      video.srcObject = stream;
      video.hidden = false;
      await video.play().catch(() => {});
      if (video.readyState < 2)
        await new Promise((resolve) => video.addEventListener('loadeddata', resolve, { once: true }));
      say(root.dataset.msgLook);
      mark(-1);
      // A moment to settle in front of the camera before the timed capture starts.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const t0 = performance.now();
      let shown = -1;
      for (const slot of schedule()) {
        const at = typeof slot === 'number' ? slot : slot.at;
        const step = typeof slot === 'number' ? -1 : slot.step;
        if (step !== shown) {
          // the prompt appears when the step's window opens
          await until(t0, neutralMs + step * actionMs);
          say(steps[step].dataset.prompt);
          mark(step);
          shown = step;
        }
        await until(t0, at);
        shots.push(grab(t0));
      }
      mark(-1);
      say(root.dataset.msgSending);
      for (const shot of shots) {
        const frame = document.createElement('input');
        frame.type = 'hidden';
        frame.name = 'frame';
        frame.value = await base64(await shot.blob);
        const at = document.createElement('input');
        at.type = 'hidden';
        at.name = 'at';
        at.value = String(shot.at);
        form.append(frame, at);
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
