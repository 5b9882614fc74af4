// Rebuilds the face fixtures in this folder from the Debian packages named in README.md:
//   apt-get install -y facedetect python3-skimage python-matplotlib-data
//   node packages/accounts/test-fixtures/faces/make-fixtures.mjs
// Every transform is written here so that what the tests compare is reproducible.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

const here = new URL('.', import.meta.url).pathname;
const out = (name) => join(here, name);
const facedetect = '/usr/share/doc/facedetect/examples';
const skimage = '/usr/lib/python3/dist-packages/skimage/data';
const matplotlib = '/usr/share/matplotlib/mpl-data/sample_data';

// Originals (already ≤ 640 px): copied as they are, or re-encoded as JPEG to keep them small.
copyFileSync(join(facedetect, 'grace_hopper_512x512.jpg'), out('grace-hopper.jpg'));
await sharp(join(matplotlib, 'grace_hopper.jpg')).jpeg({ quality: 85 }).toFile(out('grace-hopper-matplotlib.jpg'));
await sharp(join(skimage, 'astronaut.png')).jpeg({ quality: 85 }).toFile(out('astronaut.jpg'));
await sharp(join(skimage, 'camera.png')).jpeg({ quality: 85 }).toFile(out('cameraman.jpg'));
await sharp(join(skimage, 'coffee.png')).jpeg({ quality: 85 }).toFile(out('coffee.jpg'));

// "Same person, another picture": the facedetect portrait cropped off-centre, scaled down,
// darkened with less contrast, rotated by 6 degrees and recompressed at JPEG quality 60, as a
// webcam frame of the same face might differ from the enrolment photo. It is derived from the
// same photograph, not a second photograph.
await sharp(join(facedetect, 'grace_hopper_512x512.jpg'))
  .extract({ left: 40, top: 10, width: 440, height: 470 })
  .rotate(6, { background: '#404040' })
  .resize({ width: 360 })
  .linear(0.8, 10)
  .modulate({ brightness: 0.9, saturation: 0.8 })
  .jpeg({ quality: 60 })
  .toFile(out('grace-hopper-transformed.jpg'));

// Two faces: the two portraits side by side, 640×320.
const half = (file) => sharp(file).resize(320, 320).toBuffer();
await sharp({ create: { width: 640, height: 320, channels: 3, background: '#808080' } })
  .composite([
    { input: await half(join(facedetect, 'grace_hopper_512x512.jpg')), left: 0, top: 0 },
    { input: await half(join(skimage, 'astronaut.png')), left: 320, top: 0 },
  ])
  .jpeg({ quality: 85 })
  .toFile(out('two-faces.jpg'));
